import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlClient.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';

const SITE_DELAY_MS = 800;

interface Offer {
  title: string;
  price: number;
  url: string;
  model: string | null;
  product: { id: string; name: string } | null;
}
interface MallResult {
  id: string;
  name: string;
  search: { offers: Offer[]; cached: boolean; error: { code: string; message: string } | null } | null;
}

const SEARCH = `query ($keyword: String!, $first: Int) { malls { id name search(keyword: $keyword, first: $first) {
  offers { title price url model product { id name } } cached error { code message } } } }`;

type SiteStats = Record<string, { total: number; byKeyword: Record<string, number> }>;

let system: TestSystem;

async function search(keyword: string, first = 10) {
  return postGraphQL<{ malls: MallResult[] }>(system.graphqlUrl, SEARCH, { keyword, first });
}
async function siteStats(): Promise<SiteStats> {
  return (await fetch(`${system.demoSitesUrl}/__stats`)).json() as Promise<SiteStats>;
}
function requestsFor(stats: SiteStats, keyword: string): Record<string, number> {
  return Object.fromEntries(Object.entries(stats).map(([site, s]) => [site, s.byKeyword[keyword] ?? 0]));
}

beforeAll(async () => {
  system = await startTestSystem({ DEMO_SITE_DELAY_MS: String(SITE_DELAY_MS) });
});
afterAll(async () => {
  await system?.close();
});

describe('one query searches every mall', () => {
  it('returns offers from all three malls with catalog products resolved', async () => {
    const { status, data, errors } = await search('airpods');
    expect(status).toBe(200);
    expect(errors).toBeUndefined();
    const malls = data!.malls;
    expect(malls.map((m) => m.id).sort()).toEqual(['daehan', 'hanbit', 'sejong']);
    for (const mall of malls) {
      expect(mall.name.length).toBeGreaterThan(0);
      expect(mall.search?.error).toBeNull();
      expect(mall.search?.offers.length).toBeGreaterThan(0);
      for (const offer of mall.search!.offers) {
        expect(offer.title.toLowerCase()).toMatch(/airpods|에어팟/);
        expect(offer.price).toBeGreaterThan(0);
        expect(offer.url).toMatch(/^http:\/\//);
      }
      const resolved = mall.search!.offers.filter((o) => o.product);
      expect(resolved.length, `${mall.id} offers with a catalog product`).toBeGreaterThan(0);
      expect(resolved[0]!.product!.name).toMatch(/AirPods/);
    }
  });

  it('crawls the malls in parallel: a cold search costs about one site delay, not three', async () => {
    const started = Date.now();
    const { data } = await search('iphone pro');
    const elapsed = Date.now() - started;
    expect(data!.malls.every((m) => m.search && !m.search.cached && m.search.offers.length > 0)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(SITE_DELAY_MS);
    expect(elapsed).toBeLessThan(2 * SITE_DELAY_MS);
  });

  it('coalesces 50 identical cold searches into one request per site, and a warm search into none', async () => {
    const keyword = 'galaxy buds';
    const responses = await Promise.all(Array.from({ length: 50 }, () => search(keyword)));
    for (const { data, errors } of responses) {
      expect(errors).toBeUndefined();
      expect(data!.malls.every((m) => (m.search?.offers.length ?? 0) > 0)).toBe(true);
    }
    expect(requestsFor(await siteStats(), keyword)).toEqual({ hanbit: 1, daehan: 1, sejong: 1 });

    const warm = await search(keyword);
    expect(warm.data!.malls.every((m) => m.search?.cached)).toBe(true);
    expect(requestsFor(await siteStats(), keyword)).toEqual({ hanbit: 1, daehan: 1, sejong: 1 });
  });

  it.each([
    ['an empty keyword', '   ', 10, /keyword must not be empty/],
    ['a 10,000-character keyword', 'a'.repeat(10_000), 10, /keyword must be at most 100 characters/],
    ['first: -1', 'ipad', -1, /first must be between 1 and 50/],
  ])('rejects %s with a clear error and crawls nothing', async (_case, keyword, first, message) => {
    const before = await siteStats();
    const { status, data, errors } = await search(keyword, first);
    expect(status).toBe(200);
    expect(errors?.length).toBeGreaterThan(0);
    expect(errors![0]!.message).toMatch(message);
    expect(errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(data!.malls.every((m) => m.search === null)).toBe(true);
    const after = await siteStats();
    for (const site of Object.keys(after)) expect(after[site]!.total).toBe(before[site]!.total);
  });

  it('answers a mall whose site hangs within the mall deadline, with an error and the other malls intact', async () => {
    await fetch(`${system.demoSitesUrl}/__faults`, { method: 'POST', body: JSON.stringify({ site: 'sejong', mode: 'hang' }) });
    try {
      const { data, errors } = await search('switch');
      expect(errors).toBeUndefined();
      const sejong = data!.malls.find((m) => m.id === 'sejong')!;
      expect(sejong.search?.error?.code).toBe('TIMEOUT');
      expect(sejong.search?.error?.message).toMatch(/sejong/);
      expect(data!.malls.filter((m) => m.id !== 'sejong').every((m) => (m.search?.offers.length ?? 0) > 0)).toBe(true);
    } finally {
      await fetch(`${system.demoSitesUrl}/__faults`, { method: 'POST', body: JSON.stringify({ site: 'sejong', mode: 'ok' }) });
    }
  });

  it('costs a stalled mall subgraph only its own search, within the gateway deadline', async () => {
    const pid = system.pidOf('hanbit');
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const { data, errors } = await search('gram');
      const elapsed = Date.now() - started;
      const hanbit = data!.malls.find((m) => m.id === 'hanbit')!;
      expect(hanbit.search).toBeNull();
      expect(errors?.some((e) => /subgraph "hanbit" did not answer within/.test(e.message))).toBe(true);
      expect(data!.malls.filter((m) => m.id !== 'hanbit').every((m) => (m.search?.offers.length ?? 0) > 0)).toBe(true);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('keeps serving the other malls when one mall subgraph is stopped', async () => {
    await system.stopService('daehan');
    const { data, errors } = await search('vacuum');
    const daehan = data!.malls.find((m) => m.id === 'daehan')!;
    expect(daehan.name.length).toBeGreaterThan(0);
    expect(daehan.search).toBeNull();
    const error = errors?.find((e) => e.message.includes('daehan'));
    expect(error?.message).toMatch(/subgraph "daehan" failed/);
    expect(error?.path).toEqual(['malls', data!.malls.indexOf(daehan)]);
    expect(data!.malls.filter((m) => m.id !== 'daehan').every((m) => (m.search?.offers.length ?? 0) > 0)).toBe(true);
  });
});
