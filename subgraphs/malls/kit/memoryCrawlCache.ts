import type { CachedPage, CrawlCache } from './crawlCache.ts';

/**
 * Crawl results in this process's memory, kept `retainMs` like crawlCache.ts
 * keeps them in the mall's database: for tests without one. Mall searches
 * sharing one of these behave as replicas sharing a database.
 */
export function createMemoryCrawlCache(options: { retainMs: number }): CrawlCache & { readonly size: number } {
  const pages = new Map<string, { page: CachedPage; expireAt: number }>();
  return {
    get(keyword, page) {
      const entry = pages.get(`${page}:${keyword}`);
      if (!entry || entry.expireAt <= Date.now()) return Promise.resolve(null);
      return Promise.resolve(structuredClone(entry.page));
    },
    put(keyword, page, result, fetchedAt) {
      const stored = structuredClone({ offers: result.offers, hasNextPage: result.hasNextPage, fetchedAt });
      pages.set(`${page}:${keyword}`, { page: stored, expireAt: fetchedAt.getTime() + options.retainMs });
      return Promise.resolve();
    },
    close: () => undefined,
    get size() {
      return pages.size;
    },
  };
}
