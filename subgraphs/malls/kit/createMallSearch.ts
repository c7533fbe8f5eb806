import type { Span, SpanContext } from '@opentelemetry/api';
import type { Logger } from '../../../lib/log.ts';
import { isTracingOn, withSpan } from '../../../lib/tracing/tracer.ts';
import { createCoalescer } from './coalesce.ts';
import type { CachedPage, CrawlCache } from './crawlCache.ts';
import type { CrawlLeases } from './crawlLeases.ts';
import type { PageReader } from './createPageReader.ts';
import { createPageCrawler, type Crawled, type PageSource } from './createPageCrawler.ts';
import type { FetchPageOptions } from './fetchPage.ts';
import { createMallPageStore, pageKey, type MallPageStore } from './mallPageStore.ts';
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
  /** Where pages come from; default crawling the site (crawlPage.ts). Tests give their own. */
  source?: PageSource;
  observer?: MallSearchObserver;
  log: Logger;
}

export interface MallSearch {
  search(keyword: string, first: number): Promise<MallSearchResult>;
}

interface PageOutcome {
  page: CachedPage;
  from: AnsweredFrom;
  error: MallError | null;
}

/** A mall's search: page by page through memory, the crawl cache, coalescing and the site's limits. */
export function createMallSearch(options: MallSearchOptions): MallSearch {
  const { site, log } = options;
  const pages = createMallPageStore({ mallId: site.id, cache: options.cache, freshMs: options.freshMs, memoryEntries: options.memoryEntries, log });
  const crawl = createPageCrawler(options, pages);
  const crawls = createCoalescer<Crawled>();
  // The page span that started each crawl in flight: a search that joins the crawl links to it, the trace holding the crawl's spans.
  const crawlStartedBy = new Map<string, SpanContext>();

  const loadPageFrom = async (keyword: string, pageNumber: number, deadlineAt: number, span: Span): Promise<PageOutcome> => {
    const key = pageKey(keyword, pageNumber);
    const remembered = pages.remembered(key);
    if (remembered) return { page: remembered, from: 'memory', error: null };
    // A page another search is crawling: this one waits on that crawl, whose spans are in the other's trace.
    const joined = crawls.has(key);
    span.setAttribute('gatehouse.crawl.joined', joined);
    if (joined) {
      options.observer?.crawlShared('process');
      const startedBy = crawlStartedBy.get(key);
      if (startedBy) span.addLink({ context: startedBy, attributes: { 'gatehouse.link': 'joined crawl' } });
    }
    const shared = crawls.run(key, () => {
      if (!isTracingOn()) return crawl(key, keyword, pageNumber);
      crawlStartedBy.set(key, span.spanContext());
      return crawl(key, keyword, pageNumber).finally(() => crawlStartedBy.delete(key));
    });
    shared.catch(() => undefined); // a crawl outliving its search must not become an unhandled rejection
    try {
      return { ...(await withDeadline(shared, deadlineAt, site.id)), error: null };
    } catch (error) {
      return answerFromStale(pages, error, { mallId: site.id, keyword, pageNumber, log });
    }
  };

  const loadPage = (keyword: string, pageNumber: number, deadlineAt: number): Promise<PageOutcome> =>
    withSpan('mall.page', { 'gatehouse.page': pageNumber }, async (span) => {
      const outcome = await loadPageFrom(keyword, pageNumber, deadlineAt, span);
      span.setAttribute('gatehouse.cache.tier', outcome.from);
      if (outcome.error) span.setAttribute('gatehouse.mall.error', outcome.error.code);
      return outcome;
    });

  return {
    search: (rawKeyword, first) =>
      withSpan('mall.search', { 'gatehouse.mall': site.id, 'gatehouse.search.first': first }, async (span) => {
        const keyword = normalizeKeyword(rawKeyword);
        const deadlineAt = Date.now() + options.deadlineMs;
        const pagesNeeded = Math.min(Math.ceil(first / site.pageSize), options.maxPages);
        const { result, from } = await collectPages(first, pagesNeeded, (pageNumber) => loadPage(keyword, pageNumber, deadlineAt));
        options.observer?.answered(from, result.error);
        span.setAttribute('gatehouse.cache.tier', from);
        span.setAttribute('gatehouse.search.offers', result.offers.length);
        return result;
      }),
  };
}

/** A page the site failed or was too slow for: whatever the cache still has, with the error. */
async function answerFromStale(
  pages: MallPageStore,
  error: unknown,
  where: { mallId: string; keyword: string; pageNumber: number; log: Logger },
): Promise<PageOutcome> {
  const mallError = toMallError(error, where.mallId);
  // The original, addresses and all, for the operator; the client gets mallError.
  where.log.warn(
    `${where.mallId}: page ${where.pageNumber} for "${where.keyword}" failed (${mallError.code}: ${error instanceof Error ? error.message : String(error)}); answering from stale cache`,
  );
  const stale = await pages.readStale(where.keyword, where.pageNumber);
  const page = stale ?? { offers: [], hasNextPage: false, fetchedAt: new Date() };
  return { page, from: stale ? 'stale' : 'none', error: mallError };
}

/** Loads pages in order until `first` offers, the last page, an error or `pagesNeeded`; the answer is as old and as costly as its worst page. */
async function collectPages(
  first: number,
  pagesNeeded: number,
  loadPage: (pageNumber: number) => Promise<PageOutcome>,
): Promise<{ result: MallSearchResult; from: AnsweredFrom }> {
  const offers: CrawledOffer[] = [];
  let from: AnsweredFrom = 'memory';
  let cached = true;
  let error: MallError | null = null;
  let fetchedAt: Date | null = null;
  for (let pageNumber = 1; pageNumber <= pagesNeeded; pageNumber++) {
    const outcome = await loadPage(pageNumber);
    offers.push(...outcome.page.offers);
    cached &&= outcome.from !== 'crawl' && outcome.from !== 'none';
    if (ANSWERED_FROM.indexOf(outcome.from) > ANSWERED_FROM.indexOf(from)) from = outcome.from;
    error ??= outcome.error;
    if (!fetchedAt || outcome.page.fetchedAt < fetchedAt) fetchedAt = outcome.page.fetchedAt;
    if (outcome.error || !outcome.page.hasNextPage || offers.length >= first) break;
  }
  return { result: { offers: offers.slice(0, first), fetchedAt: fetchedAt ?? new Date(), cached, error }, from };
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
