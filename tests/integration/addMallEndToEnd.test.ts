/**
 * The README's "Add a mall", as one test: scaffold a mall for the minguk
 * demo site, fill its selectors, start it, publish it, find its offers in a
 * search; then remove it again. The gateway learns by polling the registry
 * (no AMQP_URL), the path `npm start` uses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fillSelectors } from '../../cli/mall/fillSelectors.ts';
import { mingukSelectors } from '../../demo/sites/mingukSite.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { gatehouse } from '../support/gatehouseCli.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';
import { createTempRepository } from '../support/tempRepository.ts';

let system: TestSystem;
let root: string;
let mall: ChildProcess | undefined;

beforeAll(async () => {
  system = await startTestSystem({ LOG_LEVEL: 'silent' });
  root = createTempRepository();
});

afterAll(async () => {
  mall?.kill('SIGTERM');
  await system?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never answered`);
}

async function mallIds(): Promise<string[]> {
  const response = await postGraphQL<{ malls: Array<{ id: string }> }>(system.graphqlUrl, '{ malls { id } }');
  return (response.data?.malls ?? []).map((m) => m.id);
}

async function within(ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

it('scaffolds, fills, starts, publishes and searches a new mall, then removes it', async () => {
  const cli = { GATEHOUSE_REGISTRY_URL: system.registryUrl };
  const created = await gatehouse(['mall', 'new', 'minguk', '--site', `${system.demoSitesUrl}/minguk/`, '--name', '민국몰'], cli, root);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  expect(created.stdout).toMatch(/created subgraphs\/malls\/minguk\//);
  const dir = join(root, 'subgraphs', 'malls', 'minguk');
  await fillSelectors(join(dir, 'site.ts'), mingukSelectors);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  mall = spawn(process.execPath, ['--import', 'tsx', join(dir, 'main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), MONGODB_URI: system.mongoUri, MONGODB_DB_PREFIX: 'addmall', LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  await waitFor(`http://127.0.0.1:${port}/healthz`);

  const published = await gatehouse(['subgraph', 'publish', '--name', 'minguk', '--routing-url', url, '--schema', join(dir, 'schema.graphql')], cli, root);
  expect(published.code).toBe(0);
  expect(published.stdout).toMatch(/malls: .*minguk/);
  await within(2000, async () => (await mallIds()).includes('minguk'));

  const search = await postGraphQL<{ malls: Array<{ id: string; name: string; search: { offers: Array<{ title: string; price: number }> } | null }> }>(
    system.graphqlUrl,
    '{ malls { id name search(keyword: "airpods", first: 3) { offers { title price } } } }',
  );
  expect(search.errors).toBeUndefined();
  const minguk = search.data!.malls.find((m) => m.id === 'minguk')!;
  expect(minguk.name).toBe('민국몰');
  expect(minguk.search!.offers.length).toBeGreaterThan(0);
  for (const offer of minguk.search!.offers) {
    expect(offer.title.toLowerCase()).toContain('airpods');
    expect(offer.price).toBeGreaterThan(0);
  }

  const deleted = await gatehouse(['subgraph', 'delete', '--name', 'minguk'], cli, root);
  expect(deleted.code).toBe(0);
  await within(2000, async () => !(await mallIds()).includes('minguk'));
  expect((await mallIds()).sort()).toEqual(['daehan', 'hanbit', 'sejong']);
});
