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
import { waitFor } from '../support/waitFor.ts';

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

const answers = (url: string) => () =>
  fetch(url).then(
    (r) => r.ok,
    () => false,
  );

async function mallIds(): Promise<string[]> {
  const response = await postGraphQL<{ malls: Array<{ id: string }> }>(system.graphqlUrl, '{ malls { id } }');
  return (response.data?.malls ?? []).map((m) => m.id);
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
  await waitFor('the new mall to answer', answers(`http://127.0.0.1:${port}/healthz`), 20_000);

  const published = await gatehouse(['subgraph', 'publish', '--name', 'minguk', '--routing-url', url, '--schema', join(dir, 'schema.graphql')], cli, root);
  expect(published.code).toBe(0);
  expect(published.stdout).toMatch(/malls: .*minguk/);
  await waitFor('minguk among the malls within 2 s', async () => (await mallIds()).includes('minguk'), 2000);

  const search = await postGraphQL<{ malls: Array<{ id: string; name: string; search: { offers: Array<{ title: string; price: number }> } | null }> }>(
    system.graphqlUrl,
    '{ malls { id name search(keyword: "airpods", first: 3) { offers { title price } error { code message } } } }',
  );
  expect(search.errors).toBeUndefined();
  const minguk = search.data!.malls.find((m) => m.id === 'minguk')!;
  expect(minguk.name).toBe('민국몰');
  expect(minguk.search!.offers.length, JSON.stringify(minguk)).toBeGreaterThan(0);
  for (const offer of minguk.search!.offers) {
    expect(offer.title.toLowerCase()).toContain('airpods');
    expect(offer.price).toBeGreaterThan(0);
  }

  const deleted = await gatehouse(['subgraph', 'delete', '--name', 'minguk'], cli, root);
  expect(deleted.code).toBe(0);
  await waitFor('minguk gone from the malls within 2 s', async () => !(await mallIds()).includes('minguk'), 2000);
  expect((await mallIds()).sort()).toEqual(['daehan', 'hanbit', 'sejong']);
});
