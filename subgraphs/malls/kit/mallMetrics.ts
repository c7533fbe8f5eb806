import type { Metrics } from '../../../lib/metrics/createMetrics.ts';
import { ANSWERED_FROM, SHARED_CRAWL_SCOPES, type MallSearchObserver } from './createMallSearch.ts';
import { SITE_REQUEST_OUTCOMES, type SiteRequestOutcome } from './fetchPage.ts';
import type { SiteLimiter } from './siteLimiter.ts';

/** The hooks a mall's search and fetches report to. */
export interface MallMetrics extends MallSearchObserver {
  /** For `FetchPageOptions.onRequest`. */
  siteRequest(outcome: SiteRequestOutcome, seconds: number): void;
}

/**
 * A mall's Prometheus metrics: how its searches are answered, what its
 * crawler asks of the site and how that goes, and how the site is protected
 * (coalescing, the limiter's queue, whether the limits are shared).
 */
export function createMallMetrics(metrics: Metrics, mallId: string, limiter: Pick<SiteLimiter, 'waiting' | 'shared'>): MallMetrics {
  const mall = mallId;
  const searches = metrics.counter(
    'gatehouse_mall_searches_total',
    'Searches answered, by where the answer came from (its costliest page): memory, cache (database), crawl (the site), stale (site failed or too slow: old cache plus an error), none (failed, nothing cached).',
    ['mall', 'answered_from'],
  );
  const searchErrors = metrics.counter(
    'gatehouse_mall_search_errors_total',
    'Searches answered with an error, by its code (TIMEOUT, SITE_UNAVAILABLE, LAYOUT_CHANGED, …).',
    ['mall', 'code'],
  );
  const siteRequests = metrics.counter(
    'gatehouse_mall_site_requests_total',
    'HTTP requests sent to the site, retries included, by outcome: ok, http_429, http_5xx, http_4xx, timeout, network, too_large, redirect_refused (off the site or too many hops).',
    ['mall', 'outcome'],
  );
  const siteSeconds = metrics.histogram(
    'gatehouse_mall_site_request_duration_seconds',
    'Time of one request to the site, from sending it to its last byte or failure.',
    ['mall'],
  );
  const coalesced = metrics.counter(
    'gatehouse_mall_crawls_coalesced_total',
    "Page loads that shared a crawl instead of starting one: scope process (joined one in flight here) or replica (waited on another replica's, through its lease).",
    ['mall', 'scope'],
  );
  metrics.gauge(
    'gatehouse_mall_site_limiter_waiting',
    'Page crawls of this process waiting in the site limiter (rate limit, concurrency cap) for their turn.',
    ['mall'],
    (gauge) => gauge.set({ mall }, limiter.waiting()),
  );
  metrics.gauge(
    'gatehouse_mall_site_limit_shared',
    "1 while the site's limits are shared with the mall's other replicas through Redis; 0 while this process limits itself.",
    ['mall'],
    (gauge) => gauge.set({ mall }, limiter.shared() ? 1 : 0),
  );

  // Every series from the start, so rates and alerts see a 0 rather than nothing.
  for (const answered_from of ANSWERED_FROM) searches.inc({ mall, answered_from }, 0);
  for (const outcome of SITE_REQUEST_OUTCOMES) siteRequests.inc({ mall, outcome }, 0);
  for (const scope of SHARED_CRAWL_SCOPES) coalesced.inc({ mall, scope }, 0);

  return {
    answered(from, error) {
      searches.inc({ mall, answered_from: from });
      if (error) searchErrors.inc({ mall, code: error.code });
    },
    crawlShared: (scope) => coalesced.inc({ mall, scope }),
    siteRequest(outcome, seconds) {
      siteRequests.inc({ mall, outcome });
      siteSeconds.observe({ mall }, seconds);
    },
  };
}
