import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { Db } from 'mongodb';
import { createMetrics } from '../../lib/metrics/createMetrics.ts';
import { serveSubgraph, type RunningSubgraph, type ServeOptions } from '../../lib/subgraph/serveSubgraph.ts';
import { createProductLoaders } from './productLoaders.ts';
import { cacheProductLookups } from './cachedProductStore.ts';
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
  /** Keep looked-up products in memory this long (0: always ask the database). */
  productCacheTtlMs?: number;
  serve?: ServeOptions;
}

/** Serves the catalog subgraph over `db`'s `products` collection. */
export async function createCatalogSubgraph(options: CatalogSubgraphOptions): Promise<RunningSubgraph> {
  const database = createProductStore(options.db);
  await database.ensureIndexes();
  const store = cacheProductLookups(database, { ttlMs: options.productCacheTtlMs ?? 0 });
  const schema = buildSubgraphSchema([{ typeDefs: parse(loadCatalogTypeDefs()), resolvers }]);
  return serveSubgraph<CatalogContext>({
    name: 'catalog',
    schema,
    // Fresh loaders per request: batching and caching never leak across requests.
    context: async () => ({ store, loaders: createProductLoaders(store) }),
    port: options.port,
    host: options.host,
    serve: options.serve,
    // The process's own figures (memory, CPU, event loop lag); its lookups are cached in memory and cheap.
    metrics: createMetrics('catalog'),
  });
}
