import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mallTypeName } from '../../composition/mallNaming.ts';
import { createDemoSites, type DemoSites } from '../../demo/sites/createDemoSites.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { listen } from '../../lib/http/listen.ts';
import { createMetrics, useMetricsRoute, type Metrics } from '../../lib/metrics/createMetrics.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { createCrawlCache, type CrawlCache } from '../../subgraphs/malls/kit/crawlCache.ts';
import { createCrawlLeases } from '../../subgraphs/malls/kit/crawlLeases.ts';
import { createMallSearch, type MallSearchOptions } from '../../subgraphs/malls/kit/createMallSearch.ts';
import { fetchPage, type SiteRequestOutcome } from '../../subgraphs/malls/kit/fetchPage.ts';
import { createMallMetrics } from '../../subgraphs/malls/kit/mallMetrics.ts';
import { createSharedSiteLimiter } from '../../subgraphs/malls/kit/sharedSiteLimiter.ts';
import { createSiteLimiter, type SiteLimiter } from '../../subgraphs/malls/kit/siteLimiter.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { scrape, type Scrape } from '../support/prometheusText.ts';
import { createTestDatabase, testMongoUri } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';
import { silentLogger as quiet } from '../support/logs.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MALL_TYPE = mallTypeName('hanbit');
const SEARCH = `query ($keyword: String!) { _entities(representations: [{ __typename: "${MALL_TYPE}", id: "hanbit" }]) {
  ... on ${MALL_TYPE} { search(keyword: $keyword, first: 5) { offers { title } cached error { code } } } } }`;

interface SearchAnswer {
  offers: Array<{ title: string }>;
  cached: boolean;
  error: { code: string } | null;
}

let sites: DemoSites;

beforeAll(async () => {
  sites = await createDemoSites({ port: 0 });
});
afterAll(async () => {
  await sites?.close();
});
afterEach(async () => {
  await setFault('ok');
});

async function setFault(mode: string): Promise<void> {
  const response = await fetch(`${sites.url}/__faults`, { method: 'POST', body: JSON.stringify({ site: 'hanbit', mode }) });
  expect(response.status).toBe(200);
}

/** Every series of one metric for this mall, by the value of `label`. */
function byLabel(page: Scrape, name: string, label: string, values: readonly string[]): Record<string, number> {
  return Object.fromEntries(values.map((value) => [value, page.value(name, { mall: 'hanbit', [label]: value })]));
}

const ANSWERED = ['memory', 'cache', 'crawl', 'stale', 'none'] as const;
const OUTCOMES = ['ok', 'http_429', 'http_5xx', 'http_4xx', 'timeout', 'network', 'too_large'] as const;

describe('a running mall process at /metrics', () => {
  let service: ServiceProcess;
  let baseUrl: string;
  let logDir: string;

  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    logDir = mkdtempSync(join(tmpdir(), 'gatehouse-mallmetrics-'));
    const env = {
      PORT: String(port),
      MONGODB_URI: testMongoUri(),
      MONGODB_DB_PREFIX: `test_mallmetrics_${randomUUID().slice(0, 8)}`,
      MALL_SITE_URL: `${sites.url}/hanbit/`,
      // One request at a time, so a second crawl has to wait in the limiter; a deadline no crawl here reaches.
      MALL_SITE_MAX_CONCURRENT: '1',
      MALL_SITE_RATE_PER_SECOND: '50',
      MALL_DEADLINE_MS: '15000',
    };
    service = await spawnService({ name: 'hanbit', entry: 'subgraphs/malls/hanbit/main.ts', env, readyUrl: `${baseUrl}/healthz` }, { logs: { logDir } });
  });
  afterAll(async () => {
    await service?.stop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  const search = async (keyword: string): Promise<SearchAnswer> => {
    const { data, errors } = await postGraphQL<{ _entities: Array<{ search: SearchAnswer }> }>(`${baseUrl}/graphql`, SEARCH, { keyword });
    expect(errors).toBeUndefined();
    return data!._entities[0]!.search;
  };
  const metrics = () => scrape(`${baseUrl}/metrics`);

  it('is served as Prometheus text, every series at 0 before the first search', async () => {
    const page = await metrics();
    expect(page.contentType).toMatch(/^text\/plain/);
    expect(byLabel(page, 'gatehouse_mall_searches_total', 'answered_from', ANSWERED)).toEqual({ memory: 0, cache: 0, crawl: 0, stale: 0, none: 0 });
    expect(page.text).toMatch(/^gatehouse_mall_site_requests_total\{.*outcome="http_5xx".*\} 0$/m);
    // Without MALL_RATE_LIMIT_REDIS_URL the process limits itself.
    expect(page.text).toMatch(/^gatehouse_mall_site_limit_shared\{.*mall="hanbit".*\} 0$/m);
    expect(page.text).toMatch(/^gatehouse_process_cpu_seconds_total\{service="mall-hanbit"\}/m);
  });

  it('counts a cold search, a warm one and one while the site answers 500', async () => {
    const cold = await search('airpods');
    expect(cold).toMatchObject({ cached: false, error: null });
    const warm = await search('airpods');
    expect(warm).toMatchObject({ cached: true, error: null });
    await setFault('error500');
    const failing = await search('galaxy');
    expect(failing).toMatchObject({ offers: [], cached: false, error: { code: 'SITE_UNAVAILABLE' } });

    const page = await metrics();
    expect(byLabel(page, 'gatehouse_mall_searches_total', 'answered_from', ANSWERED)).toEqual({ memory: 1, cache: 0, crawl: 1, stale: 0, none: 1 });
    expect(page.value('gatehouse_mall_search_errors_total', { mall: 'hanbit', code: 'SITE_UNAVAILABLE' })).toBe(1);
    // The cold search's one request, and the failing one's first try plus its three retries.
    expect(byLabel(page, 'gatehouse_mall_site_requests_total', 'outcome', OUTCOMES)).toEqual({
      ok: 1,
      http_429: 0,
      http_5xx: 4,
      http_4xx: 0,
      timeout: 0,
      network: 0,
      too_large: 0,
    });
    expect(page.value('gatehouse_mall_site_request_duration_seconds_count', { mall: 'hanbit' })).toBe(5);
    expect(page.value('gatehouse_mall_site_request_duration_seconds_bucket', { mall: 'hanbit', le: '+Inf' })).toBe(5);
    expect(byLabel(page, 'gatehouse_mall_crawls_coalesced_total', 'scope', ['process', 'replica'])).toEqual({ process: 0, replica: 0 });
  });

  it('shows searches sharing a crawl in flight, and a crawl waiting in the limiter while the site hangs', async () => {
    const before = await metrics();
    await setFault('hang');
    const sharing = Array.from({ length: 3 }, () => search('ipad'));
    // Nothing answers until the hang is lifted, so these read the searches as they wait.
    await waitFor(
      "two searches to join the first one's crawl",
      async () => (await metrics()).value('gatehouse_mall_crawls_coalesced_total', { mall: 'hanbit', scope: 'process' }) === 2,
    );
    const queued = search('watch');
    await waitFor(
      'the second crawl to wait for the only slot',
      async () => (await metrics()).value('gatehouse_mall_site_limiter_waiting', { mall: 'hanbit' }) === 1,
    );
    await setFault('ok');
    const answers = await Promise.all([...sharing, queued]);
    for (const answer of answers) expect(answer).toMatchObject({ cached: false, error: null });

    const page = await metrics();
    const delta = (name: string, labels: Record<string, string>) => page.value(name, labels) - before.value(name, labels);
    expect(delta('gatehouse_mall_searches_total', { mall: 'hanbit', answered_from: 'crawl' })).toBe(4);
    expect(delta('gatehouse_mall_site_requests_total', { mall: 'hanbit', outcome: 'ok' })).toBe(2);
    expect(page.value('gatehouse_mall_crawls_coalesced_total', { mall: 'hanbit', scope: 'process' })).toBe(2);
    expect(page.value('gatehouse_mall_site_limiter_waiting', { mall: 'hanbit' })).toBe(0);
  });
});

describe('mall metrics of searches in-process', () => {
  let database: MongoConnection;
  let cache: CrawlCache;
  const limiters: SiteLimiter[] = [];
  const servers: Server[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('mallmetrics');
    cache = await createCrawlCache(database.db, { retainMs: 3_600_000, log: quiet });
  });
  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    for (const server of servers) server.close();
    cache?.close();
    await database?.close();
  });

  /** One replica of the mall, with a metrics registry of its own as a process has. */
  async function replica(overrides: Partial<MallSearchOptions> = {}) {
    const limiter = createSiteLimiter({ maxConcurrent: 4, requestsPerSecond: 50 });
    limiters.push(limiter);
    const metrics = createMetrics('mall-hanbit');
    const observer = createMallMetrics(metrics, 'hanbit', limiter);
    const search = createMallSearch({
      site: createHanbitSite(`${sites.url}/hanbit/`),
      cache,
      limiter,
      log: quiet,
      freshMs: 60_000,
      deadlineMs: 5000,
      maxPages: 3,
      fetch: { budgetMs: 5000, attemptTimeoutMs: 2000, retries: 1, backoffMs: 20, onRequest: observer.siteRequest },
      observer,
      ...overrides,
    });
    const url = await serveMetrics(metrics, servers);
    return { search, scrape: () => scrape(url) };
  }

  it('counts a page another replica stored as answered from cache, and an old one served while the site fails as stale', async () => {
    await (await replica()).search.search('galaxy buds', 5);
    await vi.waitFor(async () => expect(await cache.get('galaxy buds', 1)).not.toBeNull(), { timeout: 2000 });

    const other = await replica();
    expect(await other.search.search('galaxy buds', 5)).toMatchObject({ cached: true, error: null });
    expect(byLabel(await other.scrape(), 'gatehouse_mall_searches_total', 'answered_from', ANSWERED)).toEqual({
      memory: 0,
      cache: 1,
      crawl: 0,
      stale: 0,
      none: 0,
    });

    const impatient = await replica({ freshMs: 0 });
    await setFault('error500');
    expect(await impatient.search.search('galaxy buds', 5)).toMatchObject({ cached: true, error: { code: 'SITE_UNAVAILABLE' } });
    const page = await impatient.scrape();
    expect(byLabel(page, 'gatehouse_mall_searches_total', 'answered_from', ANSWERED)).toEqual({ memory: 0, cache: 0, crawl: 0, stale: 1, none: 0 });
    expect(page.value('gatehouse_mall_site_requests_total', { mall: 'hanbit', outcome: 'http_5xx' })).toBe(2);
  });

  it("counts a search that waited on another replica's crawl through its lease", async () => {
    const keyword = 'airpods max';
    const key = `1:${keyword}`;
    // Another replica holds the lease, crawling.
    const elsewhere = createCrawlLeases(database.db, 'other-replica');
    expect(await elsewhere.acquire(key, 60_000)).toBe(true);
    const leases = createCrawlLeases(database.db);
    let asked!: () => void;
    const askedForLease = new Promise<void>((resolve) => (asked = resolve));
    const waiting = await replica({ leases: { acquire: (k, ms) => leases.acquire(k, ms).finally(asked), release: (k) => leases.release(k) } });
    const answer = waiting.search.search(keyword, 5);
    // Past its own cache miss and refused the lease: now the other replica's crawl lands.
    await askedForLease;
    await cache.put(keyword, 1, { offers: [], hasNextPage: false }, new Date());
    await elsewhere.release(key);

    expect(await answer).toMatchObject({ cached: true, error: null });
    const page = await waiting.scrape();
    expect(byLabel(page, 'gatehouse_mall_crawls_coalesced_total', 'scope', ['process', 'replica'])).toEqual({ process: 0, replica: 1 });
    expect(page.value('gatehouse_mall_searches_total', { mall: 'hanbit', answered_from: 'cache' })).toBe(1);
    expect(page.value('gatehouse_mall_site_requests_total', { mall: 'hanbit', outcome: 'ok' })).toBe(0);
  });

  it('shows the site limits as shared while Redis holds them', async () => {
    const limiter = createSharedSiteLimiter(
      { maxConcurrent: 1, requestsPerSecond: 10 },
      { redisUrl: REDIS_URL, key: `test_site_${randomUUID().slice(0, 8)}`, jobExpirationMs: 10_000, log: quiet },
    );
    limiters.push(limiter);
    const metrics = createMetrics('mall-hanbit');
    createMallMetrics(metrics, 'hanbit', limiter);
    const url = await serveMetrics(metrics, servers);
    await waitFor('the limiter to register in Redis', async () => (await scrape(url)).value('gatehouse_mall_site_limit_shared', { mall: 'hanbit' }) === 1);
  });
});

describe('site request outcomes', () => {
  it('tells apart what the site can do to a request', async () => {
    const seen: SiteRequestOutcome[] = [];
    const once = { budgetMs: 5000, attemptTimeoutMs: 300, retries: 0, backoffMs: 10, onRequest: (outcome: SiteRequestOutcome) => void seen.push(outcome) };
    const attempt = (url: string) =>
      fetchPage(url, once).then(
        () => undefined,
        () => undefined,
      );
    const searchUrl = `${sites.url}/hanbit/search?q=ipad`;
    await setFault('rateLimit');
    await attempt(searchUrl);
    await setFault('hang');
    await attempt(searchUrl);
    await setFault('ok');
    await attempt(`${sites.url}/nowhere`);
    await attempt(`http://127.0.0.1:${await freePort()}/`);
    expect(seen).toEqual(['http_429', 'timeout', 'http_4xx', 'network']);
  });
});

/** Serves a replica's metrics as its process would, at `/metrics`; returns that URL. */
async function serveMetrics(metrics: Metrics, servers: Server[]): Promise<string> {
  const app = express();
  useMetricsRoute(app, metrics);
  const server = createServer(app);
  servers.push(server);
  return `${await listen(server)}/metrics`;
}
