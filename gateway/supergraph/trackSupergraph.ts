import type { SupergraphManager } from '@apollo/gateway';

/**
 * Passes a supergraph source through while remembering the SDL it last
 * delivered, so data sources built for that supergraph (the directory) can
 * read it. The gateway builds data sources right after each delivery.
 */
export function trackSupergraph(source: SupergraphManager, onSupergraph: (sdl: string) => void): SupergraphManager {
  return {
    async initialize(options) {
      const result = await source.initialize({
        ...options,
        update: (sdl) => {
          onSupergraph(sdl);
          options.update(sdl);
        },
      });
      onSupergraph(result.supergraphSdl);
      return result;
    },
  };
}
