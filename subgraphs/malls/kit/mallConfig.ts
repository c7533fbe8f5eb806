import { envInt, envPort, envRequired, envString, envUrl } from '../../../lib/env.ts';
import { httpLimitsFromEnv } from '../../../lib/http/httpLimits.ts';
import { databasePrefixFromEnv } from '../../../lib/mongo/connectMongo.ts';
import { introspectionFromEnv, profileFromEnv } from '../../../lib/profile.ts';
import { tracingConfigFromEnv, type TracingConfig } from '../../../lib/tracing/tracingConfig.ts';
import type { ServeOptions } from '../../../lib/subgraph/serveSubgraph.ts';

/** Everything a mall subgraph reads from its environment, read once at start (README, Configuration). */
export interface MallConfig {
  mongoUri: string;
  /** Where the crawler reaches the site. */
  siteUrl: string;
  /** Where shoppers reach it (the `homepage` clients see); defaults to siteUrl. */
  homepage: string;
  port: number;
  host: string;
  deadlineMs: number;
  freshMs: number;
  retainMs: number;
  requestsPerSecond: number;
  maxConcurrent: number;
  maxPages: number;
  /** Shares the site's limits among the mall's replicas; unset: each process limits itself. */
  rateLimitRedisUrl?: string;
  /** MONGODB_DB_PREFIX; unset: read when the mall starts. */
  databasePrefix?: string;
  serve?: ServeOptions;
  /** OpenTelemetry tracing (OTEL_* variables; off unless an OTLP endpoint is set). */
  tracing?: TracingConfig;
}

/**
 * A mall's variables. `defaultSiteUrl` (what the mall's main names) stands in
 * for an unset MALL_SITE_URL in the demo profile only; production requires it.
 */
export function mallConfigFromEnv(defaultSiteUrl: string, env: NodeJS.ProcessEnv = process.env): MallConfig {
  const profile = profileFromEnv(env);
  const urlHint = "set it to the shop's http(s) address";
  const siteUrl =
    profile === 'production'
      ? envUrl('MALL_SITE_URL', ['http:', 'https:'], urlHint, {
          MALL_SITE_URL: envRequired('MALL_SITE_URL', `the production profile crawls no default site: ${urlHint}`, env),
        })!
      : (envUrl('MALL_SITE_URL', ['http:', 'https:'], urlHint, env) ?? defaultSiteUrl);
  const mongoUri = envRequired('MONGODB_URI', 'start the mall through `npm start` or point it at MongoDB', env);
  return {
    mongoUri,
    siteUrl,
    homepage: envUrl('MALL_HOMEPAGE', ['http:', 'https:'], 'set it to where shoppers open the shop, or unset it to use MALL_SITE_URL', env) ?? siteUrl,
    port: envPort('PORT', 0, env),
    host: envString('HOST', '127.0.0.1', env),
    deadlineMs: envInt('MALL_DEADLINE_MS', 2000, env),
    freshMs: envInt('MALL_CACHE_FRESH_SECONDS', 600, env) * 1000,
    retainMs: envInt('MALL_CACHE_RETAIN_HOURS', 24, env) * 3_600_000,
    requestsPerSecond: envInt('MALL_SITE_RATE_PER_SECOND', 20, env),
    maxConcurrent: envInt('MALL_SITE_MAX_CONCURRENT', 4, env),
    maxPages: envInt('MALL_MAX_PAGES', 3, env),
    rateLimitRedisUrl: envUrl('MALL_RATE_LIMIT_REDIS_URL', ['redis:', 'rediss:'], 'fix it or unset it to limit each replica on its own', env),
    databasePrefix: databasePrefixFromEnv(env),
    serve: { introspection: introspectionFromEnv(env, profile), httpLimits: httpLimitsFromEnv(env) },
    tracing: tracingConfigFromEnv(env),
  };
}
