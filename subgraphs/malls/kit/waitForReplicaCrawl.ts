import type { Logger } from '../../../lib/log.ts';
import type { CachedPage } from './crawlCache.ts';
import type { CrawlLeases } from './crawlLeases.ts';
import type { MallPageStore } from './mallPageStore.ts';

/** A lease outlives the fetch budget by this much, so it never lapses under a crawl still running. */
export const LEASE_MARGIN_MS = 5000;
/** How often a replica waiting on another's crawl looks for its result. */
export const LEASE_POLL_MS = 100;

export interface ReplicaCrawlWait {
  leases: CrawlLeases;
  pages: MallPageStore;
  /** How long one crawl may take: the lease lasts this plus a margin, and waiting gives up after it. */
  budgetMs: number;
  mallId: string;
  log: Logger;
}

/**
 * Takes the lease on a page, or waits for the replica holding it to store
 * the page in the cache. Resolves with that page, or with whether this
 * replica now holds the lease and should crawl (the other gave up, died, or
 * took too long; or the leases cannot be read, and it crawls without one).
 */
export async function waitForReplicaCrawl(
  wait: ReplicaCrawlWait,
  key: string,
  keyword: string,
  pageNumber: number,
): Promise<CachedPage | { holding: boolean }> {
  const { leases, pages } = wait;
  const giveUpAt = Date.now() + wait.budgetMs;
  for (;;) {
    try {
      if (await leases.acquire(key, wait.budgetMs + LEASE_MARGIN_MS)) {
        // The last holder may have stored the page and let go since this replica's cache miss.
        const page = await pages.read(keyword, pageNumber);
        if (!pages.isFresh(page)) return { holding: true };
        await leases.release(key).catch(() => undefined);
        return page;
      }
    } catch (error) {
      wait.log.warn(`${wait.mallId}: the crawl lease could not be read (${(error as Error).message}); crawling without it`);
      return { holding: false };
    }
    if (Date.now() > giveUpAt) return { holding: false };
    await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
    const page = await pages.read(keyword, pageNumber);
    if (pages.isFresh(page)) return page;
  }
}
