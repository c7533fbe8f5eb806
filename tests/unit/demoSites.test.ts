import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateCatalog } from '../../demo/catalog/generateCatalog.ts';
import { createDemoSites, type DemoSites } from '../../demo/sites/createDemoSites.ts';
import { mingukSelectors } from '../../demo/sites/mingukSite.ts';
import { createSite as createDaehanSite } from '../../subgraphs/malls/daehan/site.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { decodePage } from '../../subgraphs/malls/kit/decodePage.ts';
import { buildSearchUrl, extractOffers, SiteLayoutError } from '../../subgraphs/malls/kit/extractOffers.ts';
import type { ExtractedPage, SiteDescription } from '../../subgraphs/malls/kit/siteDescription.ts';
import { modelCode, parseWonPrice } from '../../subgraphs/malls/kit/parseText.ts';
import { createSite as createSejongSite } from '../../subgraphs/malls/sejong/site.ts';
import { waitFor } from '../support/waitFor.ts';

let sites: DemoSites;
let malls: SiteDescription[];

/** What a team ends up with after `gatehouse mall new minguk` and filling in the selectors. */
function createMingukSite(homepage: string): SiteDescription {
  return {
    id: 'minguk',
    name: '민국몰',
    homepage,
    searchPath: 'display/search.do?query={keyword}&pageNo={page}',
    queryEncoding: 'utf-8',
    pageSize: 16,
    selectors: mingukSelectors,
    parsePrice: parseWonPrice,
    parseModel: modelCode,
  };
}

beforeAll(async () => {
  sites = await createDemoSites({ port: 0 });
  malls = [
    createHanbitSite(`${sites.url}/hanbit/`),
    createDaehanSite(`${sites.url}/daehan/`),
    createSejongSite(`${sites.url}/sejong/`),
    createMingukSite(`${sites.url}/minguk/`),
  ];
});

afterAll(async () => {
  await sites.close();
});

beforeEach(async () => {
  for (const site of ['hanbit', 'daehan', 'sejong', 'minguk']) await setFault(site, 'ok');
  await post('/__stats/reset', '');
});

function mall(id: string): SiteDescription {
  const site = malls.find((m) => m.id === id);
  if (!site) throw new Error(`no mall ${id}`);
  return site;
}

function post(path: string, body: string): Promise<Response> {
  return fetch(`${sites.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
}

async function setFault(site: string, mode: string): Promise<void> {
  const response = await post('/__faults', JSON.stringify({ site, mode }));
  expect(response.status).toBe(200);
}

async function crawl(site: SiteDescription, keyword: string, page: number): Promise<ExtractedPage> {
  const url = buildSearchUrl(site, keyword, page);
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const html = decodePage(Buffer.from(await response.arrayBuffer()), response.headers.get('content-type'));
  return extractOffers(html, site, url);
}

const catalogModels = new Set(generateCatalog().map((p) => p.model));

describe('demo mall sites', () => {
  it('serves a homepage per mall and redirects the bare prefix', async () => {
    for (const id of ['hanbit', 'daehan', 'sejong', 'minguk']) {
      const response = await fetch(`${sites.url}/${id}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html; charset=/);
    }
    const bare = await fetch(`${sites.url}/hanbit`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/hanbit/');
  });

  it('daehan answers a Korean keyword sent as EUC-KR bytes in EUC-KR', async () => {
    const url = buildSearchUrl(mall('daehan'), '에어팟', 1);
    expect(url).toContain('searchword=%BF%A1%BE%EE%C6%CC');
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('text/html; charset=euc-kr');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.includes(iconv.encode('에어팟', 'euc-kr'))).toBe(true);
    expect(body.includes(Buffer.from('에어팟', 'utf8'))).toBe(false);
    const html = iconv.decode(body, 'euc-kr');
    expect(html).toContain('<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">');
    expect(html).toContain('value="에어팟"');
    expect((await crawl(mall('daehan'), '에어팟', 1)).offers).toHaveLength(15);
  });

  it('lists catalog products for a keyword on every mall, mostly with catalog model codes', async () => {
    for (const site of malls) {
      const { offers } = await crawl(site, 'airpods', 1);
      expect(offers.length).toBeGreaterThan(5);
      const known = offers.filter((o) => o.model && catalogModels.has(o.model));
      expect(known.length / offers.length).toBeGreaterThan(0.75);
      for (const offer of offers) expect(offer.title.toLowerCase()).toMatch(/airpods|에어팟/);
    }
  });

  it('paginates consistently with each mall pageSize, and the offer links and images work', async () => {
    for (const site of malls) {
      const seen = new Set<string>();
      let page = 1;
      let last: ExtractedPage;
      for (;;) {
        last = await crawl(site, 'galaxy', page);
        for (const offer of last.offers) seen.add(offer.url);
        if (!last.hasNextPage) break;
        expect(last.offers).toHaveLength(site.pageSize);
        page += 1;
      }
      expect(page).toBeGreaterThan(1);
      expect(last.offers.length).toBeGreaterThan(0);
      expect(last.offers.length).toBeLessThanOrEqual(site.pageSize);
      expect(seen.size).toBe((page - 1) * site.pageSize + last.offers.length);
      expect(await crawl(site, 'galaxy', page + 1)).toEqual({ offers: [], hasNextPage: false });

      const [offer] = last.offers;
      const goods = await fetch(offer?.url ?? '');
      expect(goods.status).toBe(200);
      const image = await fetch(offer?.imageUrl ?? '');
      expect(image.headers.get('content-type')).toBe('image/gif');
    }
  });

  it('shows each mall its own no-results page', async () => {
    for (const site of malls) {
      expect(await crawl(site, '존재하지않는상품', 1)).toEqual({ offers: [], hasNextPage: false });
    }
    const hanbit = await (await fetch(buildSearchUrl(mall('hanbit'), 'zzz-nothing', 1))).text();
    expect(hanbit).toContain('검색 결과가 없습니다');
  });

  it('counts search-page requests per mall and keyword, and resets', async () => {
    await crawl(mall('hanbit'), 'airpods', 1);
    await crawl(mall('hanbit'), 'airpods', 2);
    await crawl(mall('hanbit'), 'galaxy', 1);
    await crawl(mall('daehan'), '에어팟', 1);
    await fetch(`${sites.url}/sejong/`);
    await fetch(`${sites.url}/hanbit/goods/100001`);
    const stats: unknown = await (await fetch(`${sites.url}/__stats`)).json();
    expect(stats).toEqual({
      hanbit: { total: 3, byKeyword: { airpods: 2, galaxy: 1 }, peakInFlight: 1 },
      daehan: { total: 1, byKeyword: { 에어팟: 1 }, peakInFlight: 1 },
      sejong: { total: 0, byKeyword: {}, peakInFlight: 0 },
    });
    const reset = await post('/__stats/reset', '');
    expect(reset.status).toBe(200);
    expect(await (await fetch(`${sites.url}/__stats`)).json()).toEqual({
      hanbit: { total: 0, byKeyword: {}, peakInFlight: 0 },
      daehan: { total: 0, byKeyword: {}, peakInFlight: 0 },
      sejong: { total: 0, byKeyword: {}, peakInFlight: 0 },
    });
  });

  it('lists minguk in the stats only once it is searched, so the default system reads as before', async () => {
    await crawl(mall('minguk'), 'airpods', 1);
    const stats = (await (await fetch(`${sites.url}/__stats`)).json()) as Record<string, unknown>;
    expect(stats.minguk).toEqual({ total: 1, byKeyword: { airpods: 1 }, peakInFlight: 1 });
    await post('/__stats/reset', '');
    expect(Object.keys((await (await fetch(`${sites.url}/__stats`)).json()) as Record<string, unknown>)).toEqual(['hanbit', 'daehan', 'sejong']);
  });
});

describe('minguk, the site to scaffold a mall against', () => {
  it('has a search form on its homepage and a page parameter in its pagination links', async () => {
    const home = await (await fetch(`${sites.url}/minguk/`)).text();
    expect(home).toContain('<form id="srchForm" name="srchForm" action="/minguk/display/search.do" method="get">');
    expect(home).toContain('name="query"');
    const results = await (await fetch(`${sites.url}/minguk/display/search.do?query=airpods`)).text();
    expect(results).toContain('href="search.do?query=airpods&amp;pageNo=2"');
  });

  it('serves the cheapest first, with models in their own element and bare-number prices', async () => {
    const { offers, hasNextPage } = await crawl(mall('minguk'), 'airpods', 1);
    expect(hasNextPage).toBe(true);
    expect(offers).toHaveLength(16);
    const prices = offers.map((o) => o.price);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(offers[0]).toMatchObject({ url: `${sites.url}/minguk/display/goods.do?prdNo=301001`, model: null });
    expect(offers.filter((o) => o.model && catalogModels.has(o.model)).length).toBeGreaterThan(10);
  });

  it('differs in markup from the three system malls, so scaffolding it is real work', async () => {
    const html = await (await fetch(buildSearchUrl(mall('minguk'), 'airpods', 1))).text();
    for (const site of malls.filter((m) => m.id !== 'minguk')) {
      expect(() => extractOffers(html, site, buildSearchUrl(mall('minguk'), 'airpods', 1))).toThrow(SiteLayoutError);
    }
  });
});

describe('faults', () => {
  it('error500 and rateLimit answer 500 and 429 with Retry-After on that mall only, and are counted', async () => {
    await setFault('hanbit', 'error500');
    await setFault('sejong', 'rateLimit');
    expect((await fetch(buildSearchUrl(mall('hanbit'), 'airpods', 1))).status).toBe(500);
    const limited = await fetch(buildSearchUrl(mall('sejong'), 'airpods', 1));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await fetch(buildSearchUrl(mall('daehan'), 'airpods', 1))).status).toBe(200);
    // Only search pages are faulty.
    expect((await fetch(`${sites.url}/hanbit/`)).status).toBe(200);
    expect(await (await fetch(`${sites.url}/__faults`)).json()).toEqual({ hanbit: 'error500', daehan: 'ok', sejong: 'rateLimit', minguk: 'ok' });
    const stats = (await (await fetch(`${sites.url}/__stats`)).json()) as Record<string, { total: number }>;
    expect([stats.hanbit?.total, stats.daehan?.total, stats.sejong?.total]).toEqual([1, 1, 1]);
    await setFault('hanbit', 'ok');
    expect((await fetch(buildSearchUrl(mall('hanbit'), 'airpods', 1))).status).toBe(200);
  });

  it('broken serves a 200 page the site description cannot read', async () => {
    for (const site of malls) {
      await setFault(site.id, 'broken');
      await expect(crawl(site, 'airpods', 1)).rejects.toThrow(SiteLayoutError);
      await expect(crawl(site, 'airpods', 1)).rejects.toThrow(new RegExp(`^${site.id}: `));
    }
  });

  it('hang never answers until the fault is lifted', async () => {
    await setFault('daehan', 'hang');
    const url = buildSearchUrl(mall('daehan'), 'airpods', 1);
    await expect(fetch(url, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    const searched = async () => ((await (await fetch(`${sites.url}/__stats`)).json()) as { daehan: { total: number } }).daehan.total;
    const before = await searched();
    let settled = false;
    const held = fetch(url).then((response) => {
      settled = true;
      return response;
    });
    // The site has the request and holds it.
    await waitFor('the site to receive the search', async () => (await searched()) === before + 1);
    expect(settled).toBe(false);
    await setFault('daehan', 'ok');
    expect((await held).status).toBe(200);
  });

  it('rejects bad fault requests with 400 and a message saying what to send', async () => {
    const cases: [string, RegExp][] = [
      ['not json', /not valid JSON/],
      ['[]', /must be a JSON object/],
      [JSON.stringify({ site: 'coupang', mode: 'ok' }), /unknown site "coupang".*hanbit\|daehan\|sejong/],
      [JSON.stringify({ site: 'hanbit', mode: 'explode' }), /unknown mode "explode".*error500\|rateLimit\|broken\|hang/],
      [JSON.stringify({ site: 'hanbit' }), /unknown mode null/],
    ];
    for (const [body, message] of cases) {
      const response = await post('/__faults', body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: string };
      expect(answer.error).toMatch(message);
    }
    expect((await post('/__faults', 'x'.repeat(20_000))).status).toBe(413);
  });
});

describe('bad requests', () => {
  it('404s unknown paths and goods', async () => {
    for (const path of ['/', '/nope', '/hanbit/nope', '/hanbit/goods/99999999', '/daehan/shop/goods_view.php?no=abc', '/__statsx']) {
      expect((await fetch(`${sites.url}${path}`)).status).toBe(404);
    }
  });

  it('refuses a keyword longer than 200 characters, a missing keyword and wrong methods', async () => {
    const long = await fetch(buildSearchUrl(mall('hanbit'), '가'.repeat(201), 1));
    expect([400, 414]).toContain(long.status);
    expect((await fetch(buildSearchUrl(mall('daehan'), '가'.repeat(200), 1))).status).toBe(200);
    expect((await fetch(`${sites.url}/sejong/shop/search?pg=1`)).status).toBe(400);
    expect((await fetch(`${sites.url}/__stats`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${sites.url}/hanbit/`, { method: 'POST' })).status).toBe(405);
  });

  it('treats a nonsense page number as the first page', async () => {
    const first = await crawl(mall('sejong'), 'airpods', 1);
    const url = buildSearchUrl(mall('sejong'), 'airpods', 1).replace('pg=1', 'pg=-3');
    const html = await (await fetch(url)).text();
    expect(extractOffers(html, mall('sejong'), url)).toEqual(first);
  });

  it('escapes a hostile keyword in the pages it echoes', async () => {
    const keyword = '<script>alert(1)</script>';
    for (const site of malls) {
      const html = decodePage(Buffer.from(await (await fetch(buildSearchUrl(site, keyword, 1))).arrayBuffer()), null);
      expect(html).not.toContain('<script>alert(1)');
      expect(html).toContain('&lt;script&gt;alert(1)');
    }
  });
});

describe('delay', () => {
  it('adds the configured latency to every page', async () => {
    const slow = await createDemoSites({ port: 0, delayMs: 150 });
    try {
      for (const path of ['/hanbit/', '/sejong/shop/search?keyword=airpods&pg=1']) {
        const started = performance.now();
        expect((await fetch(`${slow.url}${path}`)).status).toBe(200);
        expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      }
    } finally {
      await slow.close();
    }
  });
});
