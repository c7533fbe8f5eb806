/**
 * A real hanbit mall process crawling a hostile site on loopback: a page built
 * to stall the parser, a redirect onto another internal host, offer links
 * leading off the site. Each costs only its own search.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mallTypeName } from '../../composition/mallNaming.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { testMongoUri } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

const MALL_TYPE = mallTypeName('hanbit');
const SEARCH = `query ($keyword: String!) { _entities(representations: [{ __typename: "${MALL_TYPE}", id: "hanbit" }]) {
  ... on ${MALL_TYPE} { search(keyword: $keyword, first: 20) { offers { url imageUrl } cached error { code message } } } } }`;
const RESULTS = readFileSync(fileURLToPath(new URL('../fixtures/pages/hanbit/search-airpods-p1.html', import.meta.url)), 'utf8');
/** The page of issue 9: 60,000 `<div a="<">`, 645 KB. */
const HOSTILE = `<html><body><ul>${'<div a="<">'.repeat(60_000)}</ul></body></html>`;

interface SearchAnswer {
  offers: Array<{ url: string; imageUrl: string | null }>;
  cached: boolean;
  error: { code: string; message: string } | null;
}

interface LoopbackSite {
  url: string;
  requests: Map<string, number>;
  close(): void;
}

async function loopbackSite(route: (keyword: string, res: ServerResponse, req: IncomingMessage) => void): Promise<LoopbackSite> {
  const requests = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const keyword = new URL(req.url ?? '/', 'http://x').searchParams.get('q') ?? '';
    requests.set(keyword, (requests.get(keyword) ?? 0) + 1);
    route(keyword, res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const html = (res: ServerResponse, body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
const item = (href: string, src: string) =>
  `<li class="prd-item" data-model="MQD000BKH/A"><a class="prd-link" href="${href}"><img class="prd-thumb" src="${src}"><span class="prd-name">AirPods</span></a><span class="prd-price">1,000원</span></li>`;

let internal: LoopbackSite;
let site: LoopbackSite;
let mall: ServiceProcess;
let mallUrl: string;
let logDir: string;

beforeAll(async () => {
  // Another host on the internal network, as the crawler sees it: a different origin.
  internal = await loopbackSite((_keyword, res) => html(res, RESULTS));
  site = await loopbackSite((keyword, res) => {
    if (keyword === 'hostile') html(res, HOSTILE);
    else if (keyword === 'moved') res.writeHead(302, { location: `${internal.url}/hanbit/search?q=airpods&page=1` }).end();
    else if (keyword === 'links') {
      html(
        res,
        `<ul>${[
          item('//evil.example/goods/1', '/hanbit/img/1.jpg'),
          item('http://169.254.169.254/latest/meta-data/', '/hanbit/img/2.jpg'),
          item(`${internal.url}/hanbit/goods/3`, '/hanbit/img/3.jpg'),
          item('javascript:alert(1)', '/hanbit/img/4.jpg'),
          item('/hanbit/goods/5', `${internal.url}/img/5.jpg`),
        ].join('')}</ul>`,
      );
    } else html(res, RESULTS);
  });
  const port = await freePort();
  mallUrl = `http://127.0.0.1:${port}`;
  logDir = mkdtempSync(join(tmpdir(), 'gatehouse-hostile-'));
  const env = {
    PORT: String(port),
    MONGODB_URI: testMongoUri(),
    MONGODB_DB_PREFIX: `test_hostile_${randomUUID().slice(0, 8)}`,
    MALL_SITE_URL: `${site.url}/hanbit/`,
    MALL_DEADLINE_MS: '5000',
  };
  mall = await spawnService({ name: 'hanbit', entry: 'subgraphs/malls/hanbit/main.ts', env, readyUrl: `${mallUrl}/healthz` }, { logs: { logDir } });
});
afterAll(async () => {
  await mall?.stop();
  site?.close();
  internal?.close();
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

/** One search straight at the mall subgraph; gives up after `timeoutMs` as a gateway would. */
async function search(keyword: string, timeoutMs = 10_000): Promise<SearchAnswer> {
  const response = await fetch(`${mallUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: SEARCH, variables: { keyword } }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { data?: { _entities: Array<{ search: SearchAnswer }> }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data!._entities[0]!.search;
}

describe('a mall crawling a hostile site', () => {
  it('keeps answering a cached keyword from memory while the 645 KB <div a="<"> page is crawled, and refuses that page as PAGE_TOO_COMPLEX', async () => {
    const warm = await search('airpods');
    expect(warm).toMatchObject({ error: null });
    expect(warm.offers).toHaveLength(20);

    const hostile = search('hostile');
    await waitFor('the site to serve the hostile page', () => site.requests.get('hostile') === 1);
    // Searches for the cached keyword through the hostile crawl and after it:
    // on a blocked event loop they would wait out the whole parse (tens of seconds).
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const cached = await search('airpods', 2000);
      latencies.push(performance.now() - started);
      expect(cached).toMatchObject({ cached: true, error: null });
      expect(cached.offers).toEqual(warm.offers);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(Math.max(...latencies)).toBeLessThan(300);

    const refused = await hostile;
    expect(refused).toMatchObject({ offers: [], cached: false, error: { code: 'PAGE_TOO_COMPLEX' } });
    expect(refused.error?.message).toMatch(/^hanbit: the search page nests elements more than 512 deep/);
    // Not cached as good: the next search crawls it again, and is refused again.
    expect(await search('hostile')).toMatchObject({ offers: [], error: { code: 'PAGE_TOO_COMPLEX' } });
    expect(site.requests.get('hostile')).toBe(2);
  });

  it('refuses a redirect to another internal host as REDIRECT_REFUSED, serving nothing from it', async () => {
    const moved = await search('moved');
    expect(moved).toMatchObject({ offers: [], error: { code: 'REDIRECT_REFUSED' } });
    // Which host is the operator's business (the log has it); clients may see it withheld.
    expect(moved.error?.message).toMatch(/^hanbit: .* redirected to .* outside the site's origins/);
    expect(internal.requests.size).toBe(0);
  });

  it('serves only offers whose links stay on the site, and drops images that do not', async () => {
    const { offers, error } = await search('links');
    expect(error).toBeNull();
    expect(offers).toEqual([{ url: `${site.url}/hanbit/goods/5`, imageUrl: null }]);
  });
});
