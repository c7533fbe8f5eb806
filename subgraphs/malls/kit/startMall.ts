import type { Logger } from '../../../lib/log.ts';
import { createMetrics, type Metrics } from '../../../lib/metrics/createMetrics.ts';
import { connectMongo, databaseName, prefixedDatabaseName } from '../../../lib/mongo/connectMongo.ts';
import { createCrawlCache } from './crawlCache.ts';
import { createCrawlLeases, expireCrawlLeases } from './crawlLeases.ts';
import { createMallSearch } from './createMallSearch.ts';
import { createPageReader } from './createPageReader.ts';
import { createMallSubgraph } from './createMallSubgraph.ts';
import type { MallConfig } from './mallConfig.ts';
import { createMallMetrics } from './mallMetrics.ts';
import type { SiteDescription } from './siteDescription.ts';
import { createSharedSiteLimiter } from './sharedSiteLimiter.ts';
import { createSiteLimiter, type SiteLimiter, type SiteLimits } from './siteLimiter.ts';

export { mallConfigFromEnv, type MallConfig } from './mallConfig.ts';

export interface RunningMall {
  id: string;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts one mall: its crawl cache database, its protected crawler, its
 * subgraph, and its metrics at `/metrics` on the subgraph's port.
 */
export async function startMall(
  site: SiteDescription,
  config: MallConfig,
  log: Logger,
  metrics: Metrics = createMetrics(`mall-${site.id}`),
): Promise<RunningMall> {
  const mongo = await connectMongo(config.mongoUri, mallDatabase(config, `mall_${site.id}`));
  const cache = await createCrawlCache(mongo.db, { retainMs: config.retainMs, log });
  const leaseExpiry = await expireCrawlLeases(mongo.db, log);
  const fetchOptions = {
    budgetMs: Math.max(config.deadlineMs * 4, 10_000),
    attemptTimeoutMs: Math.max(config.deadlineMs * 2, 5000),
    retries: 3,
    backoffMs: 200,
  };
  const limiter = siteLimiter(
    site.id,
    { maxConcurrent: config.maxConcurrent, requestsPerSecond: config.requestsPerSecond },
    config,
    fetchOptions.budgetMs,
    log,
  );
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
    serve: config.serve,
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
  return createSharedSiteLimiter(limits, {
    redisUrl: config.rateLimitRedisUrl,
    key: mallDatabase(config, `site_${mallId}`),
    jobExpirationMs: fetchBudgetMs + 5000,
    log,
  });
}

function mallDatabase(config: MallConfig, name: string): string {
  return config.databasePrefix === undefined ? databaseName(name) : prefixedDatabaseName(config.databasePrefix, name);
}
