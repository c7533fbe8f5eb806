/**
 * `gatehouse mall new` against the minguk demo site, into a temporary copy
 * of the repository's layout (the kit and its dependencies linked in), so
 * the generated files are type-checked and their test is run as a team would.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillSelectors } from '../../cli/mall/fillSelectors.ts';
import { scaffoldMall, type ScaffoldedMall } from '../../cli/mall/scaffoldMall.ts';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { createDemoSites, type DemoSites } from '../../demo/sites/createDemoSites.ts';
import { paginate, searchListings } from '../../demo/sites/listing.ts';
import { mingukSelectors, mingukSite } from '../../demo/sites/mingukSite.ts';
import { createSite as createDaehanSite } from '../../subgraphs/malls/daehan/site.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { extractOffers } from '../../subgraphs/malls/kit/extractOffers.ts';
import type { SiteDescription } from '../../subgraphs/malls/kit/siteDescription.ts';
import { createSite as createSejongSite } from '../../subgraphs/malls/sejong/site.ts';
import { createTempRepository, REPO } from '../support/tempRepository.ts';

let sites: DemoSites;
let root: string;
let minguk: ScaffoldedMall;

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'node_modules', command), ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/** The scaffolded mall's own test, run by vitest in the temporary repository (no config: none of ours). */
function runMallTest(id: string) {
  // No cache: it would land in this checkout's node_modules, which the temporary repository links to.
  return run('vitest/vitest.mjs', ['run', '--no-cache', '--root', root, `subgraphs/malls/${id}/`], root);
}

function file(mall: ScaffoldedMall, name: string): string {
  return readFileSync(join(mall.directory, name), 'utf8');
}

async function setFault(site: string, mode: string): Promise<void> {
  const response = await fetch(`${sites.url}/__faults`, { method: 'POST', body: JSON.stringify({ site, mode }) });
  expect(response.status).toBe(200);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  sites = await createDemoSites({ port: 0 });
  root = createTempRepository();
  minguk = await scaffoldMall({ id: 'minguk', name: '민국몰', site: `${sites.url}/minguk`, root });
});

afterAll(async () => {
  await sites?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('gatehouse mall new minguk --site <demo site>', () => {
  it('writes site description, main, schema, a saved search page and its test', () => {
    expect(minguk.directory).toBe(join(root, 'subgraphs', 'malls', 'minguk'));
    expect(minguk.files.sort()).toEqual(
      ['fixtures/search.html', 'main.ts', 'schema.graphql', 'site.test.ts', 'site.ts'].map((f) => join('subgraphs', 'malls', 'minguk', f)),
    );
    expect(minguk.searchPage).toEqual({ source: 'site', url: `${sites.url}/minguk/display/search.do?query=airpods` });

    const site = file(minguk, 'site.ts');
    expect(site).toContain("item: 'todo-item',");
    expect(site).toContain("// nextPage: 'todo-next-page',");
    // Found from the homepage's search form and the result page's pagination.
    expect(site).toContain("searchPath: 'display/search.do?query={keyword}&pageNo={page}',");
    expect(site).toContain("queryEncoding: 'utf-8',");
    expect(file(minguk, 'main.ts')).toContain(`runMall(createSite, '${sites.url}/minguk/');`);
    expect(file(minguk, 'schema.graphql')).toContain(
      `type MingukMall implements Mall @key(fields: "id") @mall(name: "민국몰", homepage: "${sites.url}/minguk/")`,
    );
    const page = file(minguk, 'fixtures/search.html');
    expect(page).toMatch(/^<!-- Saved by `gatehouse mall new`: the search page for "airpods" from http/);
    expect(page).toContain('<dl class="goods-unit"');
    // Never published by default: the repository's own config does not know it.
    expect(readFileSync(join(REPO, 'supergraph.yaml'), 'utf8')).not.toContain('minguk');
    expect(existsSync(join(REPO, 'subgraphs', 'malls', 'minguk'))).toBe(false);
  });

  it('composes as it is with the subgraphs of supergraph.yaml', () => {
    const existing = readSupergraphConfig(join(REPO, 'supergraph.yaml'), {});
    const result = composeSupergraph([...existing, { name: 'minguk', url: 'http://127.0.0.1:4014/graphql', sdl: file(minguk, 'schema.graphql') }]);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.malls.map((m) => m.id).sort()).toEqual(['daehan', 'hanbit', 'minguk', 'sejong']);
    expect(result.malls.find((m) => m.id === 'minguk')).toMatchObject({ name: '민국몰', homepage: `${sites.url}/minguk/` });
  });

  it('has a test that fails until the selectors are filled in, and passes once they are', async () => {
    const before = await runMallTest('minguk');
    expect(before.code).not.toBe(0);
    expect(before.output).toContain('fails until they are filled in');
    expect(before.output).toContain('neither result items (todo-item) nor a no-results marker (todo-no-results)');

    await fillSelectors(join(minguk.directory, 'site.ts'), mingukSelectors);
    const after = await runMallTest('minguk');
    expect(after.output).toMatch(/1 passed/);
    expect(after.code).toBe(0);
  });

  it('once filled in, reads the saved page as the site listed it', async () => {
    await fillSelectors(join(minguk.directory, 'site.ts'), mingukSelectors);
    const { createSite } = (await import(pathToFileURL(join(minguk.directory, 'site.ts')).href)) as { createSite(url: string): SiteDescription };
    const site = createSite(`${sites.url}/minguk/`);
    const pageUrl = minguk.searchPage.source === 'site' ? minguk.searchPage.url : '';
    const { offers, hasNextPage } = extractOffers(file(minguk, 'fixtures/search.html'), site, pageUrl);

    const listed = paginate(searchListings('minguk', 'airpods'), 1, mingukSite.pageSize);
    expect(hasNextPage).toBe(listed.hasNext);
    expect(offers).toEqual(
      listed.items.map((listing) => ({
        title: `${listing.koreanName} (${listing.englishName})`,
        price: listing.price,
        currency: 'KRW',
        url: `${sites.url}/minguk/display/goods.do?prdNo=${listing.no}`,
        imageUrl: `${sites.url}/minguk/img/prd/${listing.no}.png`,
        model: listing.model,
      })),
    );
  });

  it('fills only the selectors it is given and refuses a key site.ts does not have', async () => {
    const other = await scaffoldMall({ id: 'partial', site: `${sites.url}/minguk/`, root, fetchPage: false });
    const path = join(other.directory, 'site.ts');
    await fillSelectors(path, { item: 'li.x', image: 'img.y' });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('item: "li.x",');
    expect(text).toContain('image: "img.y",');
    expect(text).toContain("title: 'todo-title',");
    expect(text).toContain("// model: 'todo-model',");
    await expect(fillSelectors(path, { ['bogus' as 'item']: 'x' })).rejects.toThrow('site.ts has no `bogus:` line in its selectors to fill in');
  });
});

describe('the search URL it finds is the one the system malls were written with', () => {
  const handWritten: [string, (url: string) => SiteDescription][] = [
    ['hanbit', createHanbitSite],
    ['daehan', createDaehanSite],
    ['sejong', createSejongSite],
  ];

  it.each(handWritten)('%s', async (id, createHandWritten) => {
    const mall = await scaffoldMall({ id: `${id}copy`, site: `${sites.url}/${id}/`, root });
    const original = createHandWritten(`${sites.url}/${id}/`);
    expect(file(mall, 'site.ts')).toContain(`searchPath: '${original.searchPath}',`);
    expect(file(mall, 'site.ts')).toContain(`queryEncoding: '${original.queryEncoding}',`);

    // Filled with the hand-written selectors, it reads the saved page (re-encoded from EUC-KR for daehan) as the original does.
    await fillSelectors(join(mall.directory, 'site.ts'), original.selectors);
    const { createSite } = (await import(pathToFileURL(join(mall.directory, 'site.ts')).href)) as { createSite(url: string): SiteDescription };
    const page = file(mall, 'fixtures/search.html');
    const pageUrl = mall.searchPage.source === 'site' ? mall.searchPage.url : '';
    const scaffolded = extractOffers(page, createSite(`${sites.url}/${id}/`), pageUrl);
    expect(scaffolded.offers.length).toBeGreaterThan(5);
    expect(scaffolded).toEqual(extractOffers(page, original, pageUrl));
    if (id === 'daehan') expect(scaffolded.offers[0]?.title).toMatch(/[가-힣]/);
  });
});

describe('without the site', () => {
  it('writes a placeholder page and a guessed search path, marked as such, when told not to fetch', async () => {
    const mall = await scaffoldMall({ id: 'offline', site: 'https://mall.example/shop', root, fetchPage: false });
    expect(mall.searchPage).toEqual({ source: 'placeholder', reason: 'the site was not read (fetchPage: false)' });
    expect(file(mall, 'fixtures/search.html')).toMatch(/^<!-- Placeholder written by `gatehouse mall new`: the site was not read/);
    expect(file(mall, 'site.ts')).toContain("// TODO: a guess; put the site's search URL here");
    expect(file(mall, 'site.ts')).toContain("searchPath: 'search?q={keyword}&page={page}',");
    expect(file(mall, 'site.test.ts')).toContain("const PAGE_URL = 'https://mall.example/shop/search?q=airpods&page=1';");
    expect(file(mall, 'main.ts')).toContain("runMall(createSite, 'https://mall.example/shop/');");
    expect(file(mall, 'schema.graphql')).toContain(
      'type OfflineMall implements Mall @key(fields: "id") @mall(name: "offline", homepage: "https://mall.example/shop/")',
    );
  });

  it('writes a placeholder page saying why when the site cannot be reached', async () => {
    const port = await closedPort();
    const mall = await scaffoldMall({ id: 'unreachable', site: `http://127.0.0.1:${port}/`, root, timeoutMs: 2000 });
    expect(mall.searchPage).toMatchObject({ source: 'placeholder', reason: expect.stringMatching(/could not be reached \(ECONNREFUSED\)/) });
    expect(file(mall, 'fixtures/search.html')).toContain('could not be reached');
    const { code, output } = await runMallTest('unreachable');
    expect(code).not.toBe(0);
    expect(output).toContain('fails until they are filled in');
  });

  it('keeps what the homepage form says when the search page fails, and marks the page parameter a guess', async () => {
    const cases: [string, string, RegExp][] = [
      ['error500', 'failing', /answered 500/],
      ['broken', 'captcha', /^site$/],
    ];
    for (const [fault, id, page] of cases) {
      await setFault('minguk', fault);
      try {
        const mall = await scaffoldMall({ id, site: `${sites.url}/minguk/`, root });
        expect(mall.searchPage.source === 'site' ? 'site' : mall.searchPage.reason).toMatch(page);
        expect(file(mall, 'site.ts')).toContain("searchPath: 'display/search.do?query={keyword}&page={page}',");
        expect(file(mall, 'site.ts')).toContain("// TODO check: `query` is from the homepage's search form; the page parameter `page` is a guess");
      } finally {
        await setFault('minguk', 'ok');
      }
    }
  });

  it('keeps an awkward display name a string, in code and in the schema', async () => {
    const name = 'O\'Brien \\ */ "몰" `${x}`';
    const mall = await scaffoldMall({ id: 'quoted', name, site: 'https://mall.example/', root, fetchPage: false });
    const { createSite } = (await import(pathToFileURL(join(mall.directory, 'site.ts')).href)) as { createSite(url: string): SiteDescription };
    expect(createSite('https://mall.example/').name).toBe(name);
    const existing = readSupergraphConfig(join(REPO, 'supergraph.yaml'), {});
    const result = composeSupergraph([...existing, { name: 'quoted', url: 'http://127.0.0.1:4015/graphql', sdl: file(mall, 'schema.graphql') }]);
    expect(result.ok && result.malls.find((m) => m.id === 'quoted')?.name).toBe(name);
  });
});

describe('every mall scaffolded above', () => {
  it('type-checks under the repository tsconfig', async () => {
    expect(readdirSync(join(root, 'subgraphs', 'malls')).length).toBeGreaterThan(5);
    const { code, output } = await run('typescript/bin/tsc', ['--noEmit', '-p', join(root, 'tsconfig.json')], root);
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});

describe('refusals, one sentence each and nothing written', () => {
  const cases: [string, { id: string; site: string; name?: string }, RegExp][] = [
    [
      'an upper-case id',
      { id: 'Minguk', site: 'https://mall.example/' },
      /^mall id "Minguk" must be 1-40 lower-case letters and digits, starting with a letter$/,
    ],
    ['an id with a dash', { id: 'min-guk', site: 'https://mall.example/' }, /^mall id "min-guk" must be/],
    ['an empty id', { id: '', site: 'https://mall.example/' }, /^mall id "" must be/],
    ['a 41-character id', { id: `a${'b'.repeat(40)}`, site: 'https://mall.example/' }, /must be 1-40/],
    ['a path as id', { id: '../../etc', site: 'https://mall.example/' }, /^mall id "..\/..\/etc" must be/],
    ['an absolute path as id', { id: '/tmp/x', site: 'https://mall.example/' }, /^mall id "\/tmp\/x" must be/],
    ['the kit', { id: 'kit', site: 'https://mall.example/' }, /^mall id "kit" is reserved; choose another$/],
    ['the directory subgraph', { id: 'directory', site: 'https://mall.example/' }, /^mall id "directory" is reserved/],
    [
      'an ftp site',
      { id: 'ftpmall', site: 'ftp://mall.example/' },
      /^--site must be an http\(s\) URL such as https:\/\/mall.example\/, got "ftp:\/\/mall.example\/"$/,
    ],
    ['a file site', { id: 'filemall', site: 'file:///etc/passwd' }, /^--site must be an http\(s\) URL/],
    ['a javascript site', { id: 'jsmall', site: 'javascript:alert(1)' }, /^--site must be an http\(s\) URL/],
    ['no URL at all', { id: 'nourl', site: 'mall.example' }, /^--site must be an http\(s\) URL/],
    ['credentials in the URL', { id: 'credmall', site: 'https://user:secret@mall.example/' }, /^--site must not carry a user name or password/],
    [
      'a name with a newline',
      { id: 'newline', site: 'https://mall.example/', name: 'a\nb' },
      /^the mall name must be 1-100 characters without control characters$/,
    ],
  ];

  it.each(cases)('refuses %s', async (_, options, message) => {
    const before = readdirSync(join(root, 'subgraphs', 'malls')).sort();
    const error = await scaffoldMall({ ...options, root, fetchPage: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect(readdirSync(join(root, 'subgraphs', 'malls')).sort()).toEqual(before);
    expect(existsSync(join(root, 'etc'))).toBe(false);
  });

  it('refuses a mall whose directory exists, leaving it as it was', async () => {
    const site = file(minguk, 'site.ts');
    await expect(scaffoldMall({ id: 'minguk', site: 'https://other.example/', root, fetchPage: false })).rejects.toThrow(
      /^subgraphs\/malls\/minguk already exists; choose another mall id or remove it first$/,
    );
    expect(file(minguk, 'site.ts')).toBe(site);
  });

  it('refuses a root that is not a Gatehouse repository', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gatehouse-not-repo-'));
    try {
      await expect(scaffoldMall({ id: 'lost', site: 'https://mall.example/', root: empty, fetchPage: false })).rejects.toThrow(
        /has no subgraphs\/malls\/kit; run this from the root of the Gatehouse repository$/,
      );
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
