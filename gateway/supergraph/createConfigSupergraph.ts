import type { SupergraphManager } from '@apollo/gateway';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';

/**
 * A supergraph composed in-process from a rover-style `supergraph.yaml`:
 * the subgraphs' SDL files plus the generated mall directory.
 */
export function createConfigSupergraph(configPath: string, env: NodeJS.ProcessEnv = process.env): SupergraphManager {
  return {
    async initialize() {
      const result = composeSupergraph(readSupergraphConfig(configPath, env));
      if (!result.ok) {
        throw new Error(`the subgraphs in ${configPath} do not compose: ${result.errors.join('; ')}`);
      }
      return { supergraphSdl: result.supergraphSdl };
    },
  };
}
