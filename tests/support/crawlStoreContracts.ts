import { describe, expect, it } from 'vitest';
import type { CrawlCache } from '../../subgraphs/malls/kit/crawlCache.ts';
import type { CrawlLeases } from '../../subgraphs/malls/kit/crawlLeases.ts';
import { waitFor } from './waitFor.ts';

const offer = (title: string) => ({ title, price: 1000, currency: 'KRW', url: `http://hanbit.test/${title}`, imageUrl: null, model: null });

/**
 * What a mall's crawl cache and leases must do, run on the in-memory ones
 * (tests/unit) and the database ones (tests/integration), so mall search unit
 * tests over the first say something about the second.
 */
export function describeCrawlCache(kind: string, create: (retainMs: number) => Promise<CrawlCache>): void {
  describe(`the crawl cache (${kind})`, () => {
    it('answers what was stored for a keyword and page, the newest crawl replacing the last, and nothing for another page', async () => {
      const cache = await create(60_000);
      const fetchedAt = new Date(Date.now() - 1000);
      await cache.put('airpods', 1, { offers: [offer('old')], hasNextPage: true }, new Date(Date.now() - 2000));
      await cache.put('airpods', 1, { offers: [offer('new')], hasNextPage: false }, fetchedAt);
      expect(await cache.get('airpods', 1)).toEqual({ offers: [offer('new')], hasNextPage: false, fetchedAt });
      expect(await cache.get('airpods', 2)).toBeNull();
      expect(await cache.get('galaxy', 1)).toBeNull();
      cache.close();
    });

    it('forgets a page once it is older than the retention', async () => {
      const cache = await create(60_000);
      await cache.put('ipad', 1, { offers: [offer('ipad')], hasNextPage: false }, new Date(Date.now() - 61_000));
      expect(await cache.get('ipad', 1)).toBeNull();
      cache.close();
    });
  });
}

/** `createShared`: a fresh lease store, and how a replica (`holder`) sees it. */
export function describeCrawlLeases(kind: string, createShared: () => Promise<(holder: string) => CrawlLeases>): void {
  describe(`crawl leases (${kind})`, () => {
    it('give a page to one replica at a time: a live lease refuses everyone, its holder too, and only the holder can release it', async () => {
      const replica = await createShared();
      const [a, b] = [replica('a'), replica('b')];
      expect(await a.acquire('1:watch', 60_000)).toBe(true);
      expect(await a.acquire('1:watch', 60_000)).toBe(false);
      expect(await b.acquire('1:watch', 60_000)).toBe(false);
      await b.release('1:watch');
      expect(await b.acquire('1:watch', 60_000)).toBe(false);
      await a.release('1:watch');
      expect(await b.acquire('1:watch', 60_000)).toBe(true);
      expect(await a.acquire('1:other', 60_000)).toBe(true);
    });

    it('let the next replica take a lease its holder never released once it runs out', async () => {
      const replica = await createShared();
      const [dead, next] = [replica('dead'), replica('next')];
      expect(await dead.acquire('1:tablet', 200)).toBe(true);
      expect(await next.acquire('1:tablet', 60_000)).toBe(false);
      await waitFor('the lease of the dead replica to run out', () => next.acquire('1:tablet', 60_000), 5000);
      expect(await dead.acquire('1:tablet', 60_000)).toBe(false);
    });
  });
}
