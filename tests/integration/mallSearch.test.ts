import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDemoSites, type DemoSites } from '../../demo/sites/createDemoSites.ts';
import { createLogger } from '../../lib/log.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createSite as createDaehanSite } from '../../subgraphs/malls/daehan/site.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { createCrawlCache, type CrawlCache } from '../../subgraphs/malls/kit/crawlCache.ts';
import { createCrawlLeases, expireCrawlLeases } from '../../subgraphs/malls/kit/crawlLeases.ts';
import { createMallSearch, type MallSearchOptions } from '../../subgraphs/malls/kit/createMallSearch.ts';
import { createSiteLimiter, type SiteLimiter } from '../../subgraphs/malls/kit/siteLimiter.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

type Stats = Record<string, { total: number; byKeyword: Record<string, number> }>;

let sites: DemoSites;
let database: MongoConnection;
let cache: CrawlCache;
const limiters: SiteLimiter[] = [];
const log = { info: () => undefined, warn: () => undefined, error: createLogger('test').error };

beforeAll(async () => {
  sites = await createDemoSites({ port: 0 });
  database = await createTestDatabase('mallsearch');
  cache = await createCrawlCache(database.db, { retainMs: 3_600_000, log });
});
afterAll(async () => {
  await Promise.all(limiters.map((l) => l.close()));
  cache?.close();
  await database?.close();
  await sites?.close();
});
afterEach(async () => {
  for (const site of ['hanbit', 'daehan', 'sejong']) await setFault(site, 'ok');
});

async function setFault(site: string, mode: string): Promise<void> {
  const response = await fetch(`${sites.url}/__faults`, { method: 'POST', body: JSON.stringify({ site, mode }) });
  expect(response.status).toBe(200);
}
async function requests(site: string, keyword: string): Promise<number> {
  const stats = (await (await fetch(`${sites.url}/__stats`)).json()) as Stats;
  return stats[site]?.byKeyword[keyword] ?? 0;
}

function mallSearch(overrides: Partial<MallSearchOptions> = {}) {
  const limiter = createSiteLimiter({ maxConcurrent: 4, requestsPerSecond: 50 });
  limiters.push(limiter);
  return createMallSearch({
    site: createHanbitSite(`${sites.url}/hanbit/`),
    cache,
    limiter,
    log,
    freshMs: 60_000,
    // Generous: a cold first search starts the page reader's threads, seconds on a loaded machine. Deadline tests set their own.
    deadlineMs: 10_000,
    maxPages: 3,
    fetch: { budgetMs: 5000, attemptTimeoutMs: 1000, retries: 2, backoffMs: 50 },
    ...overrides,
  });
}

describe('a mall search through the kit', () => {
  it('reads as many pages as `first` needs and no more', async () => {
    const daehan = mallSearch({ site: createDaehanSite(`${sites.url}/daehan/`) });
    const result = await daehan.search('갤럭시', 20);
    expect(result.error).toBeNull();
    expect(result.offers).toHaveLength(20);
    expect(new Set(result.offers.map((o) => o.url)).size).toBe(20);
    expect(await requests('daehan', '갤럭시')).toBe(2);
  });

  it('crawls once for concurrent identical searches and answers the next from cache', async () => {
    const search = mallSearch();
    const results = await Promise.all(Array.from({ length: 20 }, () => search.search('iPad  Pro', 10)));
    expect(results.every((r) => r.offers.length > 0 && !r.cached)).toBe(true);
    expect(await requests('hanbit', 'ipad pro')).toBe(1);
    const again = await search.search('ipad pro', 10);
    expect(again.cached).toBe(true);
    expect(again.offers).toEqual(results[0]!.offers);
    expect(await requests('hanbit', 'ipad pro')).toBe(1);
  });

  it('shares the crawl cache across replicas through the database', async () => {
    await mallSearch().search('galaxy ultra', 5);
    // Written behind the answer: wait until the database has it.
    await vi.waitFor(async () => expect(await cache.get('galaxy ultra', 1)).not.toBeNull(), { timeout: 2000 });
    const otherReplica = mallSearch();
    const result = await otherReplica.search('galaxy ultra', 5);
    expect(result.cached).toBe(true);
    expect(await requests('hanbit', 'galaxy ultra')).toBe(1);
  });

  it('crawls once for identical searches on two replicas at once, the second waiting on the first through a lease', async () => {
    const [a, b] = [mallSearch({ leases: createCrawlLeases(database.db) }), mallSearch({ leases: createCrawlLeases(database.db) })];
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).search('airpods 3', 5)));
    expect(results.every((r) => r.error === null && r.offers.length > 0)).toBe(true);
    for (const result of results) expect(result.offers).toEqual(results[0]!.offers);
    // One replica crawled (its three searches shared that crawl); the other's three came from the cache.
    expect(results.filter((r) => !r.cached)).toHaveLength(3);
    expect(await requests('hanbit', 'airpods 3')).toBe(1);
    // Without leases the same two replicas each crawl.
    const [c, d] = [mallSearch(), mallSearch()];
    await Promise.all([c.search('airpods 1', 5), d.search('airpods 1', 5)]);
    expect(await requests('hanbit', 'airpods 1')).toBe(2);
  });

  it('does not crawl again when the lease comes free only after another replica stored the page', async () => {
    const first = mallSearch({ leases: createCrawlLeases(database.db) });
    const leases = createCrawlLeases(database.db);
    // The interleaving a slow replica meets: its cache read missed, then the other
    // replica crawled, stored and let go of the lease, then this one takes it.
    const late = mallSearch({
      leases: {
        acquire: async (key, ms) => {
          await first.search('airpods max', 5);
          await vi.waitFor(async () => expect(await cache.get('airpods max', 1)).not.toBeNull(), { timeout: 2000 });
          await vi.waitFor(async () => expect(await database.db.collection('crawlLeases').countDocuments({ _id: key } as object)).toBe(0), { timeout: 2000 });
          return leases.acquire(key, ms);
        },
        release: (key) => leases.release(key),
      },
    });
    const result = await late.search('airpods max', 5);
    expect(result).toMatchObject({ cached: true, error: null });
    expect(await requests('hanbit', 'airpods max')).toBe(1);
    // It let go of the lease it took only to look.
    expect(await database.db.collection('crawlLeases').countDocuments({ _id: '1:airpods max' } as object)).toBe(0);
  });

  it('takes over a lease whose holder died once it runs out, and crawls', async () => {
    // A replica that took the lease and was never heard of again.
    expect(await createCrawlLeases(database.db, 'dead-replica').acquire('1:airpods pro', 400)).toBe(true);
    const result = await mallSearch({ leases: createCrawlLeases(database.db) }).search('airpods pro', 5);
    expect(result).toMatchObject({ cached: false, error: null });
    expect(result.offers.length).toBeGreaterThan(0);
    expect(await requests('hanbit', 'airpods pro')).toBe(1);
  });

  it('removes run-out leases of replicas that died, without waiting for their page to be searched, and leaves live ones', async () => {
    const leases = database.db.collection('crawlLeases');
    expect(await createCrawlLeases(database.db, 'died-long-ago').acquire('1:never again', 50)).toBe(true);
    expect(await createCrawlLeases(database.db, 'still-crawling').acquire('1:in progress', 60_000)).toBe(true);
    const expiry = await expireCrawlLeases(database.db, log, 100);
    try {
      await vi.waitFor(async () => expect(await leases.countDocuments({ _id: '1:never again' } as object)).toBe(0), { timeout: 3000 });
      expect(await leases.countDocuments({ _id: '1:in progress' } as object)).toBe(1);
    } finally {
      expiry.close();
      await leases.deleteOne({ _id: '1:in progress' } as object);
    }
  });

  it('answers stale cache plus an error when the site fails, and never throws', async () => {
    await mallSearch().search('switch', 10);
    await vi.waitFor(async () => expect(await cache.get('switch', 1)).not.toBeNull(), { timeout: 2000 });
    const impatient = mallSearch({ freshMs: 0 });
    await setFault('hanbit', 'error500');
    const result = await impatient.search('switch', 10);
    expect(result.cached).toBe(true);
    expect(result.offers.length).toBeGreaterThan(0);
    expect(result.error).toMatchObject({ code: 'SITE_UNAVAILABLE', message: expect.stringMatching(/^hanbit: .*answered 500/) });
  });

  it('reports a changed page layout as LAYOUT_CHANGED with nothing made up', async () => {
    await setFault('hanbit', 'broken');
    const result = await mallSearch().search('oled', 10);
    expect(result.offers).toEqual([]);
    expect(result.error?.code).toBe('LAYOUT_CHANGED');
    expect(result.error?.message).toMatch(/hanbit/);
  });

  it('gives up on a hanging site at the mall deadline with a TIMEOUT error', async () => {
    await setFault('hanbit', 'hang');
    const search = mallSearch({ deadlineMs: 300 });
    const started = Date.now();
    const result = await search.search('vacuum pro', 10);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.error?.code).toBe('TIMEOUT');
    expect(result.offers).toEqual([]);
  });

  it('keeps retrying through 429s within its budget and succeeds once the site recovers', async () => {
    await setFault('hanbit', 'rateLimit');
    const search = mallSearch({ deadlineMs: 4000 });
    const pending = search.search('gram pro', 5);
    // The site recovers once it has refused the first request, while the crawler waits out its Retry-After of 1 s.
    await waitFor('the site to refuse the first request', async () => (await requests('hanbit', 'gram pro')) >= 1);
    await setFault('hanbit', 'ok');
    const result = await pending;
    expect(result.error).toBeNull();
    expect(result.offers.length).toBeGreaterThan(0);
  });
});

describe('the site limiter', () => {
  it('never runs more requests at once than the cap', async () => {
    const limiter = createSiteLimiter({ maxConcurrent: 2, requestsPerSecond: 1000 });
    limiters.push(limiter);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        limiter.schedule(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 20));
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });

  it('spaces requests to the configured rate', async () => {
    const limiter = createSiteLimiter({ maxConcurrent: 10, requestsPerSecond: 10 });
    limiters.push(limiter);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.schedule(async () => starts.push(Date.now()))));
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(350);
  });
});
