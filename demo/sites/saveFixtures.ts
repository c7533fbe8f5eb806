/**
 * Regenerates tests/fixtures/pages from the demo sites, byte for byte (the
 * daehan pages stay EUC-KR). Run: `node --import tsx demo/sites/saveFixtures.ts`.
 *
 * Pages are requested with `Host: 127.0.0.1:4100` so protocol-relative image
 * URLs in them do not depend on the ephemeral port used here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSite as createDaehanSite } from '../../subgraphs/malls/daehan/site.ts';
import { buildSearchUrl } from '../../subgraphs/malls/kit/extractOffers.ts';
import type { SiteDescription } from '../../subgraphs/malls/kit/siteDescription.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { createSite as createSejongSite } from '../../subgraphs/malls/sejong/site.ts';
import { createDemoSites } from './createDemoSites.ts';

/** The origin fixtures pretend to come from; tests resolve URLs against it. */
const FIXTURE_ORIGIN = 'http://127.0.0.1:4100';
const FIXTURE_HOST = new URL(FIXTURE_ORIGIN).host;
const NO_SUCH_KEYWORD = '존재하지않는상품';

interface Fixture {
  file: string;
  site: SiteDescription;
  keyword: string;
  page: number;
  fault?: 'broken';
}

const hanbit = createHanbitSite(`${FIXTURE_ORIGIN}/hanbit/`);
const daehan = createDaehanSite(`${FIXTURE_ORIGIN}/daehan/`);
const sejong = createSejongSite(`${FIXTURE_ORIGIN}/sejong/`);

const FIXTURES: Fixture[] = [
  { file: 'hanbit/search-airpods-p1.html', site: hanbit, keyword: 'airpods', page: 1 },
  { file: 'hanbit/search-airpods-p2.html', site: hanbit, keyword: 'airpods', page: 2 },
  { file: 'hanbit/no-results.html', site: hanbit, keyword: NO_SUCH_KEYWORD, page: 1 },
  { file: 'hanbit/broken.html', site: hanbit, keyword: 'airpods', page: 1, fault: 'broken' },
  { file: 'daehan/search-airpods-ko-p1.html', site: daehan, keyword: '에어팟', page: 1 },
  { file: 'daehan/search-airpods-ko-p2.html', site: daehan, keyword: '에어팟', page: 2 },
  { file: 'daehan/no-results.html', site: daehan, keyword: NO_SUCH_KEYWORD, page: 1 },
  { file: 'sejong/search-airpods-p1.html', site: sejong, keyword: 'airpods', page: 1 },
  { file: 'sejong/search-airpods-p3.html', site: sejong, keyword: 'airpods', page: 3 },
  { file: 'sejong/no-results.html', site: sejong, keyword: NO_SUCH_KEYWORD, page: 1 },
];

function get(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: FIXTURE_HOST } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${url} answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function postFault(base: string, site: string, mode: string): Promise<void> {
  const response = await fetch(`${base}/__faults`, { method: 'POST', body: JSON.stringify({ site, mode }) });
  if (!response.ok) throw new Error(`setting fault ${mode} on ${site} failed: ${await response.text()}`);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '../../tests/fixtures/pages');
const sites = await createDemoSites({ port: 0 });
try {
  for (const fixture of FIXTURES) {
    const pageUrl = new URL(buildSearchUrl(fixture.site, fixture.keyword, fixture.page));
    if (fixture.fault) await postFault(sites.url, fixture.site.id, fixture.fault);
    const body = await get(`${sites.url}${pageUrl.pathname}${pageUrl.search}`);
    if (fixture.fault) await postFault(sites.url, fixture.site.id, 'ok');
    const target = join(root, fixture.file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, body);
    process.stderr.write(`saved ${fixture.file} (${body.length} bytes) from ${pageUrl.toString()}\n`);
  }
} finally {
  await sites.close();
}
