import { envInt, envPort, envRequired, envString } from '../../lib/env.ts';
import { httpLimitsFromEnv } from '../../lib/http/httpLimits.ts';
import { databasePrefixFromEnv, prefixedDatabaseName } from '../../lib/mongo/connectMongo.ts';
import { introspectionFromEnv, profileFromEnv, type Profile } from '../../lib/profile.ts';
import { tracingConfigFromEnv, type TracingConfig } from '../../lib/tracing/tracingConfig.ts';
import type { ServeOptions } from '../../lib/subgraph/serveSubgraph.ts';

/** Everything the catalog subgraph reads from its environment, read once at start (README, Configuration). */
export interface CatalogConfig {
  profile: Profile;
  mongoUri: string;
  database: string;
  port: number;
  host: string;
  productCacheTtlMs: number;
  serve: Required<ServeOptions>;
  /** OpenTelemetry tracing (OTEL_* variables; off unless an OTLP endpoint is set). */
  tracing: TracingConfig;
}

/** Reads and checks the catalog's variables; the first bad or missing one throws one line naming it. */
export function catalogConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CatalogConfig {
  const profile = profileFromEnv(env);
  return {
    profile,
    mongoUri: envRequired('MONGODB_URI', 'run the catalog through `npm start` or point MONGODB_URI at MongoDB', env),
    database: catalogDatabase(env),
    port: envPort('PORT', 4001, env),
    host: envString('HOST', '127.0.0.1', env),
    productCacheTtlMs: envInt('CATALOG_PRODUCT_CACHE_MS', 60_000, env),
    serve: { introspection: introspectionFromEnv(env, profile), httpLimits: httpLimitsFromEnv(env) },
    tracing: tracingConfigFromEnv(env),
  };
}

/** The catalog's database name (`gatehouse_catalog`, or MONGODB_DB_PREFIX's); `gatehouse catalog import` writes there too. */
export function catalogDatabase(env: NodeJS.ProcessEnv): string {
  return prefixedDatabaseName(databasePrefixFromEnv(env), 'catalog');
}
