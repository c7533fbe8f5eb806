import { afterEach, describe, expect, it } from 'vitest';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import type { CrawlLeases } from '../../subgraphs/malls/kit/crawlLeases.ts';
import { createMallSearch, type AnsweredFrom, type MallSearchOptions, type SharedCrawlScope } from '../../subgraphs/malls/kit/createMallSearch.ts';
import type { PageSource } from '../../subgraphs/malls/kit/createPageCrawler.ts';
import { createMemoryCrawlCache } from '../../subgraphs/malls/kit/memoryCrawlCache.ts';
import { createLeaseTable, createMemoryCrawlLeases } from '../../subgraphs/malls/kit/memoryCrawlLeases.ts';
import type { CrawledOffer, ExtractedPage } from '../../subgraphs/malls/kit/siteDescription.ts';
import { createSiteLimiter, type SiteLimiter } from '../../subgraphs/malls/kit/siteLimiter.ts';
import { recordingLogger, silentLogger } from '../support/logs.ts';
import { waitFor } from '../support/waitFor.ts';

const FRESH_MS = 60_000;
const site = { ...createHanbitSite('http://hanbit.test/'), pageSize: 2 };
const limiters: SiteLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((l) => l.close()));
});

const offer = (keyword: string, page: number, n: number): CrawledOffer => ({
  title: `${keyword} ${page}-${n}`,
  price: 1000 * page + n,
  currency: 'KRW',
  url: `http://hanbit.test/p/${page}-${n}`,
  imageUrl: null,
  model: null,
});

/** A site in memory: every page full and followed by another, counting what was asked; `hold` keeps crawls waiting until released. */
function fakeSite() {
  const calls: string[] = [];
  let failure: Error | null = null;
  let held: Promise<void> | null = null;
  let releaseHeld = () => undefined as void;
  const source: PageSource = async (keyword, page) => {
    calls.push(`${page}:${keyword}`);
    if (held) await held;
    if (failure) throw failure;
    return { offers: [offer(keyword, page, 1), offer(keyword, page, 2)], hasNextPage: true };
  };
  return {
    source,
    calls,
    fail: (error: Error | null) => (failure = error),
    hold: () => {
      held = new Promise<void>((resolve) => (releaseHeld = resolve));
    },
    release: () => {
      held = null;
      releaseHeld();
    },
  };
}

function recordingObserver() {
  const answered: AnsweredFrom[] = [];
  const shared: SharedCrawlScope[] = [];
  return {
    answered,
    shared,
    observer: { answered: (from: AnsweredFrom) => void answered.push(from), crawlShared: (scope: SharedCrawlScope) => void shared.push(scope) },
  };
}

/** One mall replica: its own memory and coalescing, and whatever cache and leases it is given. */
function replica(overrides: Partial<MallSearchOptions> & Pick<MallSearchOptions, 'cache' | 'source'>) {
  const limiter = createSiteLimiter({ maxConcurrent: 4, requestsPerSecond: 1000 });
  limiters.push(limiter);
  return createMallSearch({
    site,
    limiter,
    log: silentLogger,
    freshMs: FRESH_MS,
    deadlineMs: 5000,
    maxPages: 3,
    fetch: { budgetMs: 5000, attemptTimeoutMs: 1000, retries: 0, backoffMs: 10 },
    ...overrides,
  });
}

describe('a mall search over an in-memory crawl cache', () => {
  it('answers from the site, then from memory, and on another replica from the shared cache', async () => {
    const shop = fakeSite();
    const cache = createMemoryCrawlCache({ retainMs: 3_600_000 });
    const first = recordingObserver();
    const a = replica({ cache, source: shop.source, observer: first.observer });
    const crawled = await a.search('  AirPods   PRO ', 3);
    expect(crawled).toMatchObject({ cached: false, error: null });
    expect(crawled.offers.map((o) => o.title)).toEqual(['airpods pro 1-1', 'airpods pro 1-2', 'airpods pro 2-1']);
    expect(shop.calls).toEqual(['1:airpods pro', '2:airpods pro']);
    await waitFor('both pages in the crawl cache', () => cache.size === 2);

    expect(await a.search('airpods pro', 3)).toMatchObject({ cached: true, error: null, offers: crawled.offers });
    const second = recordingObserver();
    const b = replica({ cache, source: shop.source, observer: second.observer });
    expect(await b.search('airpods pro', 4)).toMatchObject({ cached: true, error: null });
    expect(shop.calls).toHaveLength(2);
    expect(first.answered).toEqual(['crawl', 'memory']);
    expect(second.answered).toEqual(['cache']);
  });

  it('answers stale cache plus the error when the site fails, and an empty answer with the error when nothing is cached', async () => {
    const shop = fakeSite();
    const cache = createMemoryCrawlCache({ retainMs: 3_600_000 });
    const old: ExtractedPage = { offers: [offer('galaxy', 1, 1)], hasNextPage: false };
    const fetchedAt = new Date(Date.now() - FRESH_MS - 1000);
    await cache.put('galaxy', 1, old, fetchedAt);
    shop.fail(Object.assign(new Error('hanbit: the site answered 503'), { code: 'SITE_UNAVAILABLE' }));
    const observed = recordingObserver();
    const log = recordingLogger(['warn']);
    const search = replica({ cache, source: shop.source, observer: observed.observer, log });

    const stale = await search.search('galaxy', 5);
    expect(stale).toMatchObject({ cached: true, offers: old.offers, fetchedAt, error: { code: 'SITE_UNAVAILABLE', message: 'hanbit: the site answered 503' } });
    expect(shop.calls).toEqual(['1:galaxy']);
    const none = await search.search('pixel', 5);
    expect(none).toMatchObject({ cached: false, offers: [], error: { code: 'SITE_UNAVAILABLE' } });
    expect(observed.answered).toEqual(['stale', 'none']);
    expect(log.lines[0]).toContain('page 1 for "galaxy" failed (SITE_UNAVAILABLE');
  });

  it('gives up on a site slower than the deadline with TIMEOUT, answering from stale cache', async () => {
    const shop = fakeSite();
    shop.hold();
    const cache = createMemoryCrawlCache({ retainMs: 3_600_000 });
    await cache.put('ipad', 1, { offers: [offer('ipad', 1, 1)], hasNextPage: true }, new Date(Date.now() - FRESH_MS - 1000));
    const result = await replica({ cache, source: shop.source, deadlineMs: 100 }).search('ipad', 4);
    expect(result.error?.code).toBe('TIMEOUT');
    expect(result.offers.map((o) => o.title)).toEqual(['ipad 1-1']);
    shop.release();
  });

  it('crawls once for identical searches in one process, the later joining the crawl in flight', async () => {
    const shop = fakeSite();
    shop.hold();
    const observed = recordingObserver();
    const search = replica({ cache: createMemoryCrawlCache({ retainMs: 3_600_000 }), source: shop.source, observer: observed.observer });
    const searches = [search.search('macbook', 2), search.search('MacBook', 2)];
    await waitFor('the first crawl to start', () => shop.calls.length === 1);
    shop.release();
    const [one, two] = await Promise.all(searches);
    expect(two).toEqual(one);
    expect(shop.calls).toEqual(['1:macbook']);
    expect(observed.shared).toEqual(['process']);
  });
});

describe('crawl leases across mall replicas, in memory', () => {
  it('crawls once for identical searches on two replicas at once: the second waits for the first through the lease', async () => {
    const shop = fakeSite();
    shop.hold();
    const cache = createMemoryCrawlCache({ retainMs: 3_600_000 });
    const table = createLeaseTable();
    const second = recordingObserver();
    const a = replica({ cache, source: shop.source, leases: createMemoryCrawlLeases(table) });
    const b = replica({ cache, source: shop.source, leases: createMemoryCrawlLeases(table), observer: second.observer });
    const first = a.search('watch', 2);
    await waitFor('replica a to crawl under its lease', () => shop.calls.length === 1 && table.has('1:watch'));
    const waiting = b.search('watch', 2);
    shop.release();
    const [fromA, fromB] = await Promise.all([first, waiting]);
    expect(fromB.offers).toEqual(fromA.offers);
    expect(fromB.cached).toBe(true);
    expect(shop.calls).toEqual(['1:watch']);
    expect(second.shared).toEqual(['replica']);
    expect(second.answered).toEqual(['cache']);
    // The lease goes once the page is stored.
    await waitFor('the lease to be released', () => !table.has('1:watch'));
  });

  it('without leases the same two replicas each crawl', async () => {
    const shop = fakeSite();
    shop.hold();
    const cache = createMemoryCrawlCache({ retainMs: 3_600_000 });
    const searches = [replica({ cache, source: shop.source }).search('watch', 2), replica({ cache, source: shop.source }).search('watch', 2)];
    await waitFor('both replicas to crawl', () => shop.calls.length === 2);
    shop.release();
    await Promise.all(searches);
    expect(shop.calls).toEqual(['1:watch', '1:watch']);
  });

  it('takes over a lease whose holder died only once it runs out, and crawls', async () => {
    const shop = fakeSite();
    const table = createLeaseTable();
    const until = Date.now() + 300;
    table.set('1:tablet', { holder: 'a replica that died', until });
    const crawledAt: number[] = [];
    const source: PageSource = (keyword, page) => {
      crawledAt.push(Date.now());
      return shop.source(keyword, page);
    };
    const result = await replica({ cache: createMemoryCrawlCache({ retainMs: 3_600_000 }), source, leases: createMemoryCrawlLeases(table) }).search(
      'tablet',
      2,
    );
    expect(result).toMatchObject({ cached: false, error: null });
    expect(crawledAt).toHaveLength(1);
    expect(crawledAt[0]).toBeGreaterThanOrEqual(until);
  });

  it('crawls without a lease when the leases cannot be read, and says so once in the log', async () => {
    const shop = fakeSite();
    const broken: CrawlLeases = { acquire: () => Promise.reject(new Error('lease store down')), release: () => Promise.resolve() };
    const log = recordingLogger(['warn']);
    const result = await replica({ cache: createMemoryCrawlCache({ retainMs: 3_600_000 }), source: shop.source, leases: broken, log }).search('camera', 2);
    expect(result).toMatchObject({ cached: false, error: null });
    expect(shop.calls).toEqual(['1:camera']);
    expect(log.lines).toEqual(['hanbit: the crawl lease could not be read (lease store down); crawling without it']);
  });

  it('does not crawl again when the lease comes free only after the holder stored the page', async () => {
    const shop = fakeSite();
    const cache = createMemoryCrawlCache({ retainMs: 3_600_000 });
    const table = createLeaseTable();
    table.set('1:speaker', { holder: 'another replica', until: Date.now() + 60_000 });
    const leases = createMemoryCrawlLeases(table);
    let refused = 0;
    const counting: CrawlLeases = {
      async acquire(key, ms) {
        const taken = await leases.acquire(key, ms);
        if (!taken) refused += 1;
        return taken;
      },
      release: (key) => leases.release(key),
    };
    const b = replica({ cache, source: shop.source, leases: counting });
    const waiting = b.search('speaker', 2);
    await waitFor('replica b to find the lease taken', () => refused > 0);
    // The other replica stores the page and lets go, between two of b's looks.
    await cache.put('speaker', 1, { offers: [offer('speaker', 1, 1)], hasNextPage: false }, new Date());
    table.delete('1:speaker');
    expect(await waiting).toMatchObject({ cached: true, error: null, offers: [offer('speaker', 1, 1)] });
    expect(shop.calls).toEqual([]);
    expect(table.has('1:speaker')).toBe(false);
  });
});

describe('in-memory crawl leases', () => {
  it('refuse a live lease to everyone, its holder too, leave a foreign lease on release, and give a run-out one to the next asker', async () => {
    const table = createLeaseTable();
    const [a, b] = [createMemoryCrawlLeases(table, 'a'), createMemoryCrawlLeases(table, 'b')];
    expect(await a.acquire('k', 60_000)).toBe(true);
    expect(await a.acquire('k', 60_000)).toBe(false);
    expect(await b.acquire('k', 60_000)).toBe(false);
    await b.release('k');
    expect(table.get('k')?.holder).toBe('a');
    table.set('k', { holder: 'a', until: Date.now() - 1 });
    expect(await b.acquire('k', 60_000)).toBe(true);
    await b.release('k');
    expect(table.has('k')).toBe(false);
  });
});
