import { context, type Span } from '@opentelemetry/api';
import type { Logger } from '../../../lib/log.ts';
import { withSpan } from '../../../lib/tracing/tracer.ts';
import { createTtlCache } from '../../../lib/ttlCache.ts';
import { createCoalescer } from './coalesce.ts';
import type { CachedPage, CrawlCache } from './crawlCache.ts';
import type { CrawlLeases } from './crawlLeases.ts';
import { crawlPage } from './crawlPage.ts';
import { sharedPageReader, type PageReader } from './createPageReader.ts';
import type { FetchPageOptions } from './fetchPage.ts';
import { toMallError, type MallError } from './mallError.ts';
import type { CrawledOffer, SiteDescription } from './siteDescription.ts';
import type { SiteLimiter } from './siteLimiter.ts';

export interface MallSearchResult {
  offers: CrawledOffer[];
  fetchedAt: Date;
  /** Every page came from the cache, none from the site. */
  cached: boolean;
  error: MallError | null;
}

/**
 * Where a search's answer came from, by its costliest page: `memory`; `cache`
 * (the mall's database, a page another replica crawled included); `crawl` (the
 * site, a crawl in flight it joined included); `stale` (the site failed or was
 * too slow: old cache plus an error); `none` (failed with nothing cached).
 */
export type AnsweredFrom = 'memory' | 'cache' | 'crawl' | 'stale' | 'none';

/** Cheapest first. */
export const ANSWERED_FROM: readonly AnsweredFrom[] = ['memory', 'cache', 'crawl', 'stale', 'none'];

/** Where a page load joined a crawl instead of starting one. */
export type SharedCrawlScope = 'process' | 'replica';

export const SHARED_CRAWL_SCOPES: readonly SharedCrawlScope[] = ['process', 'replica'];

/** Told how searches go (metrics), so the search needs no metrics library. */
export interface MallSearchObserver {
  answered(from: AnsweredFrom, error: MallError | null): void;
  crawlShared(scope: SharedCrawlScope): void;
}

export interface MallSearchOptions {
  site: SiteDescription;
  cache: CrawlCache;
  limiter: SiteLimiter;
  fetch: FetchPageOptions;
  /** Parses crawled pages off the event loop; default one reader shared by the process. */
  reader?: PageReader;
  /** Origins besides the site's own that offers may link to: the mall's public homepage. */
  linkOrigins?: readonly string[];
  /** Cached pages younger than this are served without asking the site. */
  freshMs: number;
  /** A search answers within this, from stale cache if the site is slower. */
  deadlineMs: number;
  /** Never crawl more pages than this for one search. */
  maxPages: number;
  /** Fresh pages kept in memory (default 2000). */
  memoryEntries?: number;
  /** Coalesces crawls across the mall's replicas too; without it, within this process only. */
  leases?: CrawlLeases;
  observer?: MallSearchObserver;
  log: Logger;
}

/** A lease outlives the fetch budget by this much, so it never lapses under a crawl still running. */
const LEASE_MARGIN_MS = 5000;
/** How often a replica waiting on another's crawl looks for its result. */
const LEASE_POLL_MS = 100;

export interface MallSearch {
  search(keyword: string, first: number): Promise<MallSearchResult>;
}

interface Crawled {
  page: CachedPage;
  from: 'cache' | 'crawl';
}

interface PageOutcome {
  page: CachedPage;
  from: AnsweredFrom;
  error: MallError | null;
}

/** A mall's search: page by page through cache, coalescing and the site's limits. */
export function createMallSearch(options: MallSearchOptions): MallSearch {
  const { site, cache, freshMs, log } = options;
  const crawlOptions = { fetch: options.fetch, reader: options.reader ?? sharedPageReader(), linkOrigins: options.linkOrigins };
  const crawls = createCoalescer<Crawled>();
  // Fresh pages also stay in memory, so a warm search touches neither site nor database.
  const memory = createTtlCache<CachedPage>({ ttlMs: freshMs, maxEntries: options.memoryEntries ?? 2000 });
  const remember = (key: string, page: CachedPage) => memory.set(key, page, freshMs - (Date.now() - page.fetchedAt.getTime()));

  const readCache = (keyword: string, pageNumber: number) =>
    withSpan('cache.database', { 'gatehouse.page': pageNumber }, async (span) => {
      const page = await cache.get(keyword, pageNumber).catch((error: Error) => {
        log.warn(`${site.id}: reading the crawl cache failed (${error.message}); crawling the site instead`);
        return null;
      });
      span.setAttribute('gatehouse.cache.hit', page !== null);
      return page;
    });
  const isFresh = (page: CachedPage | null): page is CachedPage => page !== null && Date.now() - page.fetchedAt.getTime() < freshMs;

  /**
   * Another replica crawling the same page: wait for its result in the cache.
   * Resolves with that page, or with whether this replica now holds the
   * lease and should crawl (the other gave up, died, or took too long).
   */
  const crawledElsewhere = async (leases: CrawlLeases, key: string, keyword: string, pageNumber: number): Promise<CachedPage | { holding: boolean }> => {
    const giveUpAt = Date.now() + options.fetch.budgetMs;
    for (;;) {
      try {
        if (await leases.acquire(key, options.fetch.budgetMs + LEASE_MARGIN_MS)) {
          // The last holder may have stored the page and let go since this replica's cache miss.
          const page = await readCache(keyword, pageNumber);
          if (!isFresh(page)) return { holding: true };
          await leases.release(key).catch(() => undefined);
          return page;
        }
      } catch (error) {
        log.warn(`${site.id}: the crawl lease could not be read (${(error as Error).message}); crawling without it`);
        return { holding: false };
      }
      if (Date.now() > giveUpAt) return { holding: false };
      await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
      const page = await readCache(keyword, pageNumber);
      if (isFresh(page)) return page;
    }
  };

  const crawl = async (key: string, keyword: string, pageNumber: number): Promise<Crawled> => {
    const hit = await readCache(keyword, pageNumber);
    if (isFresh(hit)) {
      remember(key, hit);
      return { page: hit, from: 'cache' };
    }
    let holding = false;
    if (options.leases) {
      const elsewhere = await crawledElsewhere(options.leases, key, keyword, pageNumber);
      if (!('holding' in elsewhere)) {
        options.observer?.crawlShared('replica');
        remember(key, elsewhere);
        return { page: elsewhere, from: 'cache' };
      }
      holding = elsewhere.holding;
    }
    const release = () => (holding ? options.leases!.release(key).catch(() => undefined) : undefined);
    const fetchedAt = new Date();
    let extracted;
    try {
      // Bound to this crawl's trace: the limiter may start the job from another request's callback.
      extracted = await withSpan('mall.crawl', { 'gatehouse.page': pageNumber }, () =>
        options.limiter.schedule(context.bind(context.active(), () => crawlPage(site, keyword, pageNumber, crawlOptions))),
      );
    } catch (error) {
      void release();
      throw error;
    }
    const page = { ...extracted, fetchedAt };
    remember(key, page);
    // Written behind the answer: this process already holds the page in memory,
    // and the shopper need not wait for the database. The lease goes once the
    // page is there for the replicas waiting on it.
    void cache
      .put(keyword, pageNumber, extracted, fetchedAt)
      .catch((error: Error) => {
        log.warn(`${site.id}: storing crawl results failed (${error.message}); they will be crawled again`);
      })
      .finally(release);
    return { page, from: 'crawl' };
  };

  const loadPage = (keyword: string, pageNumber: number, deadlineAt: number): Promise<PageOutcome> =>
    withSpan('mall.page', { 'gatehouse.page': pageNumber }, async (span) => {
      const outcome = await loadPageFrom(keyword, pageNumber, deadlineAt, span);
      span.setAttribute('gatehouse.cache.tier', outcome.from);
      if (outcome.error) span.setAttribute('gatehouse.mall.error', outcome.error.code);
      return outcome;
    });

  const loadPageFrom = async (keyword: string, pageNumber: number, deadlineAt: number, span: Span): Promise<PageOutcome> => {
    const key = `${pageNumber}:${keyword}`;
    const remembered = memory.get(key);
    if (remembered) return { page: remembered, from: 'memory', error: null };
    // A page another search is crawling: this one waits on that crawl, whose spans are in the other's trace.
    span.setAttribute('gatehouse.crawl.joined', crawls.has(key));
    if (crawls.has(key)) options.observer?.crawlShared('process');
    const shared = crawls.run(key, () => crawl(key, keyword, pageNumber));
    shared.catch(() => undefined); // a crawl outliving its search must not become an unhandled rejection
    try {
      return { ...(await withDeadline(shared, deadlineAt, site.id)), error: null };
    } catch (error) {
      const mallError = toMallError(error, site.id);
      // The original, addresses and all, for the operator; the client gets mallError.
      log.warn(
        `${site.id}: page ${pageNumber} for "${keyword}" failed (${mallError.code}: ${error instanceof Error ? error.message : String(error)}); answering from stale cache`,
      );
      const stale = await withSpan('cache.stale', { 'gatehouse.page': pageNumber }, async (staleSpan) => {
        const found = await cache.get(keyword, pageNumber).catch(() => null);
        staleSpan.setAttribute('gatehouse.cache.hit', found !== null);
        return found;
      });
      const page = stale ?? { offers: [], hasNextPage: false, fetchedAt: new Date() };
      return { page, from: stale ? 'stale' : 'none', error: mallError };
    }
  };

  return {
    search: (rawKeyword, first) =>
      withSpan('mall.search', { 'gatehouse.mall': site.id, 'gatehouse.search.first': first }, async (span) => {
        const keyword = normalizeKeyword(rawKeyword);
        const deadlineAt = Date.now() + options.deadlineMs;
        const pagesNeeded = Math.min(Math.ceil(first / site.pageSize), options.maxPages);
        const offers: CrawledOffer[] = [];
        let from: AnsweredFrom = 'memory';
        let cached = true;
        let error: MallError | null = null;
        let fetchedAt: Date | null = null;
        for (let pageNumber = 1; pageNumber <= pagesNeeded; pageNumber++) {
          const outcome = await loadPage(keyword, pageNumber, deadlineAt);
          offers.push(...outcome.page.offers);
          cached &&= outcome.from !== 'crawl' && outcome.from !== 'none';
          if (ANSWERED_FROM.indexOf(outcome.from) > ANSWERED_FROM.indexOf(from)) from = outcome.from;
          error ??= outcome.error;
          if (!fetchedAt || outcome.page.fetchedAt < fetchedAt) fetchedAt = outcome.page.fetchedAt;
          if (outcome.error || !outcome.page.hasNextPage || offers.length >= first) break;
        }
        options.observer?.answered(from, error);
        span.setAttribute('gatehouse.cache.tier', from);
        span.setAttribute('gatehouse.search.offers', Math.min(offers.length, first));
        return { offers: offers.slice(0, first), fetchedAt: fetchedAt ?? new Date(), cached, error };
      }),
  };
}

/** Same search, same cache entry: trims, folds case and collapses spaces. */
export function normalizeKeyword(keyword: string): string {
  return keyword.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

class DeadlineExceeded extends Error {
  readonly code = 'TIMEOUT';
}

function withDeadline<T>(promise: Promise<T>, deadlineAt: number, mallId: string): Promise<T> {
  const remaining = deadlineAt - Date.now();
  if (remaining <= 0) return Promise.reject(new DeadlineExceeded(`${mallId}: the site did not answer before the search deadline`));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`${mallId}: the site did not answer within the search deadline`)), remaining);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
