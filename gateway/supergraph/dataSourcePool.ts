import type { GraphQLDataSource } from '@apollo/gateway';
import type { SubgraphEndpoint } from './supergraphVersion.ts';

/** A data source that holds connections of its own can let them go. */
export interface ClosableDataSource extends GraphQLDataSource {
  close?(): Promise<void>;
}

export interface DataSourcePool {
  /** One data source per subgraph, shared with every other holder of the same name and URL. */
  acquire(endpoints: readonly SubgraphEndpoint[], sdl: string): Record<string, GraphQLDataSource>;
  /** Gives back what `acquire` handed out; a source nobody holds any more is closed. */
  release(endpoints: readonly SubgraphEndpoint[]): void;
  /** How many distinct data sources are alive (for health detail and tests). */
  size(): number;
  close(): Promise<void>;
}

/**
 * Shares data sources between supergraph versions: an unchanged subgraph
 * keeps its connections across a reload, and a removed one's are closed
 * once the last request or subscription on an old version has finished.
 */
export function createDataSourcePool(build: (endpoint: SubgraphEndpoint, sdl: string) => ClosableDataSource): DataSourcePool {
  const entries = new Map<string, { source: ClosableDataSource; holders: number }>();
  const keyOf = (endpoint: SubgraphEndpoint) => `${endpoint.name} ${endpoint.url}`;
  return {
    acquire(endpoints, sdl) {
      const sources = Object.create(null) as Record<string, GraphQLDataSource>;
      for (const endpoint of endpoints) {
        const key = keyOf(endpoint);
        let entry = entries.get(key);
        if (!entry) {
          entry = { source: build(endpoint, sdl), holders: 0 };
          entries.set(key, entry);
        }
        entry.holders += 1;
        sources[endpoint.name] = entry.source;
      }
      return sources;
    },
    release(endpoints) {
      for (const endpoint of endpoints) {
        const key = keyOf(endpoint);
        const entry = entries.get(key);
        if (!entry) continue;
        entry.holders -= 1;
        if (entry.holders > 0) continue;
        entries.delete(key);
        entry.source.close?.().catch(() => undefined); // as in closeQuietly
      }
    },
    size: () => entries.size,
    async close() {
      const sources = [...entries.values()].map((e) => e.source);
      entries.clear();
      await Promise.all(sources.map(closeQuietly));
    },
  };
}

/** A data source no version uses any more: a failure to close its connections changes nothing for requests. */
async function closeQuietly(source: ClosableDataSource): Promise<void> {
  await source.close?.().catch(() => undefined);
}
