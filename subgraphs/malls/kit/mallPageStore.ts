import type { Logger } from '../../../lib/log.ts';
import { withSpan } from '../../../lib/tracing/tracer.ts';
import { createTtlCache } from '../../../lib/ttlCache.ts';
import type { CachedPage, CrawlCache } from './crawlCache.ts';
import type { ExtractedPage } from './siteDescription.ts';

/** A mall's crawled pages in its two tiers: this process's memory and the mall's crawl cache. */
export interface MallPageStore {
  /** A fresh page this process holds. */
  remembered(key: string): CachedPage | undefined;
  remember(key: string, page: CachedPage): void;
  /** The page in the crawl cache; null on a miss or when the cache cannot be read (logged). */
  read(keyword: string, pageNumber: number): Promise<CachedPage | null>;
  /** Any cached page however old, for answering when the site failed; null when there is none. */
  readStale(keyword: string, pageNumber: number): Promise<CachedPage | null>;
  /** Stores a crawled page; a failure is logged, never thrown. */
  store(keyword: string, pageNumber: number, extracted: ExtractedPage, fetchedAt: Date): Promise<void>;
  isFresh(page: CachedPage | null): page is CachedPage;
}

export function pageKey(keyword: string, pageNumber: number): string {
  return `${pageNumber}:${keyword}`;
}

export function createMallPageStore(options: { mallId: string; cache: CrawlCache; freshMs: number; memoryEntries?: number; log: Logger }): MallPageStore {
  const { mallId, cache, freshMs, log } = options;
  // Fresh pages also stay in memory, so a warm search touches neither site nor database.
  const memory = createTtlCache<CachedPage>({ ttlMs: freshMs, maxEntries: options.memoryEntries ?? 2000 });
  return {
    remembered: (key) => memory.get(key),
    remember: (key, page) => memory.set(key, page, freshMs - (Date.now() - page.fetchedAt.getTime())),
    read: (keyword, pageNumber) =>
      withSpan('cache.database', { 'gatehouse.page': pageNumber }, async (span) => {
        const page = await cache.get(keyword, pageNumber).catch((error: Error) => {
          log.warn(`${mallId}: reading the crawl cache failed (${error.message}); crawling the site instead`);
          return null;
        });
        span.setAttribute('gatehouse.cache.hit', page !== null);
        return page;
      }),
    readStale: (keyword, pageNumber) =>
      withSpan('cache.stale', { 'gatehouse.page': pageNumber }, async (span) => {
        const found = await cache.get(keyword, pageNumber).catch(() => null);
        span.setAttribute('gatehouse.cache.hit', found !== null);
        return found;
      }),
    store: (keyword, pageNumber, extracted, fetchedAt) =>
      cache.put(keyword, pageNumber, extracted, fetchedAt).catch((error: Error) => {
        log.warn(`${mallId}: storing crawl results failed (${error.message}); they will be crawled again`);
      }),
    isFresh: (page): page is CachedPage => page !== null && Date.now() - page.fetchedAt.getTime() < freshMs,
  };
}
