import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { Db } from 'mongodb';
import { serveSubgraph, type RunningSubgraph } from '../../lib/subgraph/serveSubgraph.ts';
import { createProductLoaders } from './productLoaders.ts';
import { createProductStore } from './productStore.ts';
import { resolvers, type CatalogContext } from './resolvers.ts';

/** Where the catalog SDL lives; the gateway composes from this same file. */
export const catalogSchemaUrl = new URL('./schema.graphql', import.meta.url);

export function loadCatalogTypeDefs(): string {
  return readFileSync(catalogSchemaUrl, 'utf8');
}

export interface CatalogSubgraphOptions {
  db: Db;
  port?: number;
  host?: string;
}

/** Serves the catalog subgraph over `db`'s `products` collection. */
export async function createCatalogSubgraph(options: CatalogSubgraphOptions): Promise<RunningSubgraph> {
  const store = createProductStore(options.db);
  await store.ensureIndexes();
  const schema = buildSubgraphSchema([{ typeDefs: parse(loadCatalogTypeDefs()), resolvers }]);
  return serveSubgraph<CatalogContext>({
    name: 'catalog',
    schema,
    // Fresh loaders per request: batching and caching never leak across requests.
    context: async () => ({ store, loaders: createProductLoaders(store) }),
    port: options.port,
    host: options.host,
  });
}
