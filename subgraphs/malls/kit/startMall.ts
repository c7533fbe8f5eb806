import { envInt, envString } from '../../../lib/env.ts';
import type { Logger } from '../../../lib/log.ts';
import { createMetrics, type Metrics } from '../../../lib/metrics/createMetrics.ts';
import { connectMongo, databaseName } from '../../../lib/mongo/connectMongo.ts';
import { createCrawlCache } from './crawlCache.ts';
import { createCrawlLeases, expireCrawlLeases } from './crawlLeases.ts';
import { createMallSearch } from './createMallSearch.ts';
import { createPageReader } from './createPageReader.ts';
import { createMallSubgraph } from './createMallSubgraph.ts';
import { createMallMetrics } from './mallMetrics.ts';
import type { SiteDescription } from './siteDescription.ts';
import { createSharedSiteLimiter } from './sharedSiteLimiter.ts';
import { createSiteLimiter, type SiteLimiter, type SiteLimits } from './siteLimiter.ts';

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
}

export interface RunningMall {
  id: string;
  url: string;
  close(): Promise<void>;
}

/** Everything a mall subgraph needs, configured only by environment. */
export function mallConfigFromEnv(defaultSiteUrl: string, env: NodeJS.ProcessEnv = process.env): MallConfig {
  const mongoUri = env.MONGODB_URI;
  if (!mongoUri) throw new Error('MONGODB_URI is not set; start the mall through `npm start` or point it at MongoDB');
  const siteUrl = envString('MALL_SITE_URL', defaultSiteUrl, env);
  return {
    mongoUri,
    siteUrl,
    homepage: envString('MALL_HOMEPAGE', siteUrl, env),
    port: envInt('PORT', 0, env),
    host: envString('HOST', '127.0.0.1', env),
    deadlineMs: envInt('MALL_DEADLINE_MS', 2000, env),
    freshMs: envInt('MALL_CACHE_FRESH_SECONDS', 600, env) * 1000,
    retainMs: envInt('MALL_CACHE_RETAIN_HOURS', 24, env) * 3_600_000,
    requestsPerSecond: envInt('MALL_SITE_RATE_PER_SECOND', 20, env),
    maxConcurrent: envInt('MALL_SITE_MAX_CONCURRENT', 4, env),
    maxPages: envInt('MALL_MAX_PAGES', 3, env),
    rateLimitRedisUrl: redisUrlFromEnv('MALL_RATE_LIMIT_REDIS_URL', env),
  };
}

function redisUrlFromEnv(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const scheme = URL.canParse(raw) ? new URL(raw).protocol : null;
  if (scheme !== 'redis:' && scheme !== 'rediss:') {
    throw new Error(`${name} must be a redis:// or rediss:// URL, got "${raw.slice(0, 100)}"; fix it or unset it to limit each replica on its own`);
  }
  return raw;
}

/**
 * Starts one mall: its crawl cache database, its protected crawler, its
 * subgraph, and its metrics at `/metrics` on the subgraph's port.
 */
export async function startMall(site: SiteDescription, config: MallConfig, log: Logger, metrics: Metrics = createMetrics(`mall-${site.id}`)): Promise<RunningMall> {
  const mongo = await connectMongo(config.mongoUri, databaseName(`mall_${site.id}`));
  const cache = await createCrawlCache(mongo.db, { retainMs: config.retainMs, log });
  const leaseExpiry = await expireCrawlLeases(mongo.db, log);
  const fetchOptions = {
    budgetMs: Math.max(config.deadlineMs * 4, 10_000),
    attemptTimeoutMs: Math.max(config.deadlineMs * 2, 5000),
    retries: 3,
    backoffMs: 200,
  };
  const limiter = siteLimiter(site.id, { maxConcurrent: config.maxConcurrent, requestsPerSecond: config.requestsPerSecond }, config, fetchOptions.budgetMs, log);
  const observer = createMallMetrics(metrics, site.id, limiter);
  const reader = createPageReader();
  const search = createMallSearch({
    site,
    cache,
    limiter,
    log,
    freshMs: config.freshMs,
    deadlineMs: config.deadlineMs,
    maxPages: config.maxPages,
    fetch: { ...fetchOptions, onRequest: observer.siteRequest },
    reader,
    linkOrigins: [config.homepage],
    leases: createCrawlLeases(mongo.db),
    observer,
  });
  const subgraph = await createMallSubgraph({
    mall: { id: site.id, name: site.name, homepage: config.homepage },
    search,
    crawlBase: config.siteUrl,
    port: config.port,
    host: config.host,
    metrics,
  });
  log.info(`mall ${site.id} (${site.name}) serving ${subgraph.url}, crawling ${site.homepage}`);
  return {
    id: site.id,
    url: subgraph.url,
    close: async () => {
      await subgraph.close();
      await limiter.close();
      await reader.close();
      cache.close();
      leaseExpiry.close();
      await mongo.close();
    },
  };
}

function siteLimiter(mallId: string, limits: SiteLimits, config: MallConfig, fetchBudgetMs: number, log: Logger): SiteLimiter {
  if (!config.rateLimitRedisUrl) return createSiteLimiter(limits);
  log.info(`mall ${mallId}: site limits shared with the mall's other replicas through Redis`);
  return createSharedSiteLimiter(limits, { redisUrl: config.rateLimitRedisUrl, key: databaseName(`site_${mallId}`), jobExpirationMs: fetchBudgetMs + 5000, log });
}
