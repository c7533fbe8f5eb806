import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { demoSiteUrl } from '../../subgraphs/malls/demoMalls.ts';
import { eventsUrlOf, postEvents } from '../../subgraphs/approval/events/postEvents.ts';
import { subscriberClient, watch } from '../support/approvalSubscriptions.ts';
import { serveCannedMall } from '../support/cannedMall.ts';
import { gatehouse } from '../support/gatehouseCli.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { startSdlServer, type SdlServer } from '../support/sdlServer.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';
import { waitFor } from '../support/waitFor.ts';

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const RUN = randomUUID().slice(0, 8);
const SEARCH = 'query ($keyword: String!) { malls { id search(keyword: $keyword, first: 2) { offers { title } } } }';

let system: TestSystem;
let secondGateway: ServiceProcess;
let secondGatewayUrl: string;
let outlet: ServiceProcess;
let outletUrl: string;
let cli: Record<string, string>;
/** Serves the SDLs these tests publish, so they pass the registry's probe. */
let sdls: SdlServer;
const schemaDir = mkdtempSync(join(tmpdir(), 'gatehouse-schemas-'));

/** Writes an SDL a test publishes with `--schema`. */
function schemaFile(name: string, sdl: string): string {
  const path = join(schemaDir, `${name}.graphql`);
  writeFileSync(path, sdl);
  return path;
}

interface Load {
  /** Searches answered so far. */
  served(): number;
  stop(): Promise<{ requests: number; failures: string[] }>;
}

/** Searches both gateways from 6 workers, cold keywords so crawls are in flight, until stopped. */
function searchLoad(): Load {
  let running = true;
  let requests = 0;
  const failures: string[] = [];
  const worker = async (index: number) => {
    for (let n = 0; running; n += 1) {
      const url = index % 2 === 0 ? system.graphqlUrl : `${secondGatewayUrl}/graphql`;
      const keyword = index % 3 === 0 ? `cold-${RUN}-${index}-${n}` : 'airpods';
      try {
        const response = await postGraphQL<{ malls: Array<{ id: string }> }>(url, SEARCH, { keyword });
        requests += 1;
        if (response.status !== 200 || response.errors?.length) failures.push(`${response.status} ${JSON.stringify(response.errors)}`);
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const workers = Array.from({ length: 6 }, (_, i) => worker(i));
  return {
    served: () => requests,
    async stop() {
      running = false;
      await Promise.all(workers);
      return { requests, failures };
    },
  };
}

async function mallIds(gatewayUrl: string): Promise<string[]> {
  const response = await postGraphQL<{ malls: Array<{ id: string }> }>(`${gatewayUrl}/graphql`, '{ malls { id } }');
  return (response.data?.malls ?? []).map((m) => m.id).sort();
}

/** Polls until `check` holds; returns how long that took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

async function readiness(gatewayUrl: string) {
  return (await (await fetch(`${gatewayUrl}/readyz`)).json()) as {
    supergraph: { id: string; subgraphs: string[] };
    rejected: { id: string; reason: string } | null;
    unhealthy: Array<{ name: string; url: string; reason: string }>;
    openDataSources: number;
  };
}

beforeAll(async () => {
  system = await startTestSystem({
    AMQP_URL,
    APPROVAL_BROKER_PREFIX: `test-${RUN}`,
    REGISTRY_EXCHANGE: `test-${RUN}.supergraph`,
    DEMO_SITE_DELAY_MS: '300',
    // Long enough that a switch within 2 s can only come from the RabbitMQ notice.
    GATEWAY_REGISTRY_POLL_MS: '10000',
    LOG_LEVEL: 'silent',
  });
  const logs = { logDir: system.logDir };
  const common = { MONGODB_URI: system.mongoUri, MONGODB_DB_PREFIX: `t${RUN}`, LOG_LEVEL: 'silent' };
  const gatewayPort = await freePort();
  secondGatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  secondGateway = await spawnService(
    {
      name: 'gateway-2',
      entry: 'gateway/main.ts',
      env: {
        ...common,
        PORT: String(gatewayPort),
        GATEHOUSE_REGISTRY_URL: system.registryUrl,
        AMQP_URL,
        REGISTRY_EXCHANGE: `test-${RUN}.supergraph`,
        GATEWAY_REGISTRY_POLL_MS: '10000',
      },
      readyUrl: `${secondGatewayUrl}/readyz`,
    },
    { logs },
  );
  const outletPort = await freePort();
  outletUrl = `http://127.0.0.1:${outletPort}/graphql`;
  outlet = await spawnService(
    {
      name: 'outlet',
      entry: 'tests/support/outletMall.ts',
      env: { ...common, PORT: String(outletPort), MALL_SITE_URL: demoSiteUrl(system.demoSitesUrl, 'hanbit') },
      readyUrl: `http://127.0.0.1:${outletPort}/healthz`,
    },
    { logs },
  );
  cli = { GATEHOUSE_REGISTRY_URL: system.registryUrl, GATEHOUSE_USER: 'team-outlet' };
  sdls = await startSdlServer();
});

afterAll(async () => {
  rmSync(schemaDir, { recursive: true, force: true });
  await sdls?.close();
  await secondGateway?.stop();
  await outlet?.stop();
  await system?.close();
});

describe('adding and removing a mall by publishing', () => {
  it('publishes a fourth mall under load: no failed request, and both gateways search it within 2 s', async () => {
    expect(await mallIds(system.gatewayUrl)).toEqual(['daehan', 'hanbit', 'sejong']);
    const load = searchLoad();
    await waitFor('the search load to be under way', () => load.served() >= 6);
    const published = await gatehouse(['subgraph', 'publish', '--name', 'outlet', '--routing-url', outletUrl, '--introspect', outletUrl], cli);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/outlet published: revision 2/);
    await within(2000, async () => (await mallIds(system.gatewayUrl)).includes('outlet') && (await mallIds(secondGatewayUrl)).includes('outlet'));
    const search = await postGraphQL<{ malls: Array<{ id: string; search: { offers: unknown[] } }> }>(system.graphqlUrl, SEARCH, { keyword: 'airpods' });
    expect(search.data?.malls.find((m) => m.id === 'outlet')?.search.offers.length).toBeGreaterThan(0);
    const atSwitch = load.served();
    await waitFor('searches on both gateways after the switch', () => load.served() >= atSwitch + 12);
    const { requests, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(20);
  });

  it('lists and shows what was published, with who and the history', async () => {
    const list = await gatehouse(['subgraph', 'list'], cli);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^outlet\s+http:\/\/127\.0\.0\.1:\d+\/graphql\s+mall of admin\s+r2 by team-outlet/m);
    expect(list.stdout).toMatch(/^catalog\s+/m);
    const show = await gatehouse(['subgraph', 'show', '--name', 'outlet'], cli);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/r2 publish by team-outlet/);
    expect(show.stdout).toContain('type OutletMall implements Mall');
  });

  it('refuses a subgraph that does not compose, with the composition error, and keeps serving', async () => {
    const before = await readiness(system.gatewayUrl);
    const sdl =
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Product @key(fields: "id") { id: Int! name: Boolean }\ntype Query { other: Product }';
    const refused = await gatehouse(
      ['subgraph', 'publish', '--name', 'rival', '--routing-url', sdls.serve('rival', sdl), '--schema', schemaFile('conflict', sdl)],
      cli,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^gatehouse: refused: the subgraphs would not compose/);
    expect(refused.stderr).toMatch(/Product\.id/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect((await readiness(system.gatewayUrl)).supergraph.id).toBe(before.supergraph.id);
    expect(await mallIds(system.gatewayUrl)).toContain('outlet');
  });

  it('refuses a breaking change unless --allow-breaking, and checks without publishing', async () => {
    const v1 = schemaFile('notices-1', 'type Query { notice: String  motd: String }');
    const v2 = schemaFile('notices-2', 'type Query { notice: String }');
    const url = sdls.serve('notices', 'type Query { notice: String  motd: String }');
    expect((await gatehouse(['subgraph', 'publish', '--name', 'notices', '--routing-url', url, '--schema', v1], cli)).code).toBe(0);
    // The team deploys v2, then checks it against the clients of v1.
    sdls.serve('notices', 'type Query { notice: String }');
    const check = await gatehouse(['subgraph', 'check', '--name', 'notices', '--schema', v2], cli);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/would break existing clients/);
    expect(check.stderr).toMatch(/Query\.motd was removed/);
    const refused = await gatehouse(['subgraph', 'publish', '--name', 'notices', '--routing-url', url, '--schema', v2], cli);
    expect(refused.code).toBe(1);
    const allowedCheck = await gatehouse(['subgraph', 'check', '--name', 'notices', '--schema', v2, '--allow-breaking'], cli);
    expect(allowedCheck.stdout).toMatch(/nothing was published/);
    const accepted = await gatehouse(['subgraph', 'publish', '--name', 'notices', '--routing-url', url, '--schema', v2, '--allow-breaking'], cli);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/breaking \(allowed\): Query\.motd was removed/);
    const deleted = await gatehouse(['subgraph', 'delete', '--name', 'notices', '--allow-breaking'], cli);
    expect(deleted.code).toBe(0);
  });

  it('keeps open subscriptions through a reload: the next change still arrives', async () => {
    const client = await subscriberClient(system.gatewayUrl, 'u-reload');
    const view = watch(client);
    try {
      await view.next((s) => s.total === 0);
      const before = (await readiness(system.gatewayUrl)).supergraph.id;
      const schema = schemaFile('banner', 'type Query { banner: String }');
      const url = sdls.serve('banner', 'type Query { banner: String }');
      expect((await gatehouse(['subgraph', 'publish', '--name', 'banner', '--routing-url', url, '--schema', schema], cli)).code).toBe(0);
      await within(2000, async () => (await readiness(system.gatewayUrl)).supergraph.id !== before);
      const event = { system: 'hr', userId: 'u-reload', count: 4, occurredAt: new Date().toISOString(), seq: 1 };
      expect((await postEvents(eventsUrlOf(system.subgraphUrls.approval!), [event], 'dev-secret-hr')).status).toBe(202);
      const summary = await view.next((s) => s.total === 4);
      expect(summary.items[0]).toMatchObject({ system: { id: 'hr' }, count: 4 });
      expect(view.errors).toEqual([]);
    } finally {
      view.stop();
      await client.dispose();
      await gatehouse(['subgraph', 'delete', '--name', 'banner', '--allow-breaking'], cli);
    }
  });

  it('refuses a publish whose routing URL does not answer, or serves another schema, saying which', async () => {
    const revision = ((await (await fetch(`${system.registryUrl}/v1/subgraphs`)).json()) as { revision: number }).revision;
    const ghost = schemaFile('ghost', 'type Query { ghost: String }');
    const deadUrl = `http://127.0.0.1:${await freePort()}/graphql`;
    const dead = await gatehouse(['subgraph', 'publish', '--name', 'ghost', '--routing-url', deadUrl, '--schema', ghost], cli);
    expect(dead.code).toBe(1);
    expect(dead.stderr.trim()).toBe(
      `gatehouse: refused: the subgraph at ${deadUrl} did not answer { _service { sdl } } (ECONNREFUSED); start it there (serving this schema) or fix the routing URL, then publish again`,
    );
    const otherUrl = sdls.serve('ghost', 'type Query { ghost: String  haunt: Int }');
    const other = await gatehouse(['subgraph', 'check', '--name', 'ghost', '--routing-url', otherUrl, '--schema', ghost], cli);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /^gatehouse: refused: the subgraph at http:\/\/127\.0\.0\.1:\d+\/ghost\/graphql serves a different schema than the one published \(type Query differs\); deploy this schema there first, or publish what it serves/,
    );
    const metadata = await gatehouse(
      ['subgraph', 'publish', '--name', 'ghost', '--routing-url', 'http://169.254.169.254/latest/graphql', '--schema', ghost],
      cli,
    );
    expect(metadata.stderr).toMatch(/points at 169\.254\.169\.254, which is not an allowed subgraph host; use a host on GATEHOUSE_ROUTING_ALLOW/);
    const hex = await gatehouse(['subgraph', 'publish', '--name', 'ghost', '--routing-url', 'http://0x7f000001:4011/graphql', '--schema', ghost], cli);
    expect(hex.stderr).toMatch(/writes its host in a form that parses as 127\.0\.0\.1/);
    expect(((await (await fetch(`${system.registryUrl}/v1/subgraphs`)).json()) as { revision: number }).revision).toBe(revision);
  });

  it("takes another team's later mall while a published one is down: both gateways serve it, the down mall's fields fail as a down subgraph's", async () => {
    const ghost = await serveCannedMall('ghost');
    const ghostPort = Number(new URL(ghost.url).port);
    const bazaar = await serveCannedMall('bazaar');
    try {
      expect((await gatehouse(['subgraph', 'publish', '--name', 'ghost', '--routing-url', ghost.url, '--introspect', ghost.url], cli)).code).toBe(0);
      await within(3000, async () => (await mallIds(system.gatewayUrl)).includes('ghost') && (await mallIds(secondGatewayUrl)).includes('ghost'));
      // The team's service goes away after its publish got in.
      await ghost.close();
      const published = await gatehouse(['subgraph', 'publish', '--name', 'bazaar', '--routing-url', bazaar.url, '--introspect', bazaar.url], cli);
      expect(published.code).toBe(0);
      await within(3000, async () => (await mallIds(system.gatewayUrl)).includes('bazaar') && (await mallIds(secondGatewayUrl)).includes('bazaar'));
      for (const gateway of [system.gatewayUrl, secondGatewayUrl]) {
        const search = await postGraphQL<{ malls: Array<{ id: string; search: { offers: Array<{ title: string }> } | null }> }>(`${gateway}/graphql`, SEARCH, {
          keyword: 'airpods',
        });
        expect(search.data?.malls.find((m) => m.id === 'bazaar')?.search?.offers[0]?.title).toBe('bazaar airpods');
        expect(search.data?.malls.find((m) => m.id === 'ghost')?.search).toBeNull();
        const ghostErrors = search.errors?.filter((e) => e.extensions?.serviceName === 'ghost') ?? [];
        expect(ghostErrors.map((e) => e.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);
        expect(search.data?.malls.find((m) => m.id === 'hanbit')?.search?.offers.length).toBeGreaterThan(0);
        const ready = await waitFor('the down mall in /readyz', async () => (await readiness(gateway)).unhealthy.find((u) => u.name === 'ghost'), 5000);
        expect(ready).toMatchObject({ url: ghost.url, reason: 'ECONNREFUSED' });
      }
      // Back on its port, it answers again and leaves /readyz without a new revision.
      const revived = await serveCannedMall('ghost', ghostPort);
      try {
        await waitFor('ghost healthy again', async () => (await readiness(system.gatewayUrl)).unhealthy.length === 0, 8000);
        const search = await postGraphQL<{ malls: Array<{ id: string; search: { offers: Array<{ title: string }> } | null }> }>(system.graphqlUrl, SEARCH, {
          keyword: 'back',
        });
        expect(search.data?.malls.find((m) => m.id === 'ghost')?.search?.offers[0]?.title).toBe('ghost back');
      } finally {
        await revived.close();
      }
    } finally {
      await gatehouse(['subgraph', 'delete', '--name', 'ghost', '--allow-breaking'], cli);
      await gatehouse(['subgraph', 'delete', '--name', 'bazaar', '--allow-breaking'], cli);
      // Up until no gateway routes to it, so later tests see no failed search.
      await within(3000, async () =>
        [...(await mallIds(system.gatewayUrl)), ...(await mallIds(secondGatewayUrl))].every((id) => id !== 'bazaar' && id !== 'ghost'),
      );
      await bazaar.close();
    }
  });

  it('deletes a mall: gone from `malls` on both gateways within 2 s, in-flight searches complete, its data source released', async () => {
    const before = await readiness(system.gatewayUrl);
    const load = searchLoad();
    await waitFor('the search load to be under way', () => load.served() >= 6);
    const deleted = await gatehouse(['subgraph', 'delete', '--name', 'outlet'], cli);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/outlet deleted: revision \d+/);
    await within(2000, async () => !(await mallIds(system.gatewayUrl)).includes('outlet') && !(await mallIds(secondGatewayUrl)).includes('outlet'));
    const { requests, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(20);
    // Once old versions are idle (after a 5 s grace) only the current one's data sources stay open: outlet's is closed.
    expect(before.supergraph.subgraphs).toContain('outlet');
    await within(8000, async () => {
      const now = await readiness(system.gatewayUrl);
      return !now.supergraph.subgraphs.includes('outlet') && now.openDataSources === now.supergraph.subgraphs.length;
    });
  });
});

describe('registry input', () => {
  const put = (name: string, body: string, headers: Record<string, string>) =>
    fetch(`${system.registryUrl}/v1/subgraphs/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body });
  const admin = { authorization: 'Bearer gatehouse-dev-admin-token' };
  const valid = JSON.stringify({ routingUrl: 'http://127.0.0.1:9/graphql', sdl: 'type Query { x: String }' });

  it('refuses changes without a token or with a wrong one, and changes nothing', async () => {
    const revision = ((await (await fetch(`${system.registryUrl}/v1/subgraphs`)).json()) as { revision: number }).revision;
    const missing = await put('intruder', valid, {});
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: string }).error).toMatch(/needs a token: send "Authorization: Bearer <team token or GATEHOUSE_ADMIN_TOKEN>"/);
    const wrong = await put('intruder', valid, { authorization: 'Bearer guess' });
    expect(wrong.status).toBe(403);
    const deleteWrong = await fetch(`${system.registryUrl}/v1/subgraphs/catalog`, { method: 'DELETE', headers: { authorization: 'Bearer guess' } });
    expect(deleteWrong.status).toBe(403);
    const cli = await gatehouse(['subgraph', 'delete', '--name', 'catalog'], { GATEHOUSE_REGISTRY_URL: system.registryUrl, GATEHOUSE_ADMIN_TOKEN: 'guess' });
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim()).toBe(
      'gatehouse: the token is neither the admin token nor a team token of this registry (a changed admin token revokes team tokens); ask an admin for one (gatehouse token issue)',
    );
    expect(((await (await fetch(`${system.registryUrl}/v1/subgraphs`)).json()) as { revision: number }).revision).toBe(revision);
  });

  it('refuses a 5 MB SDL, a routing URL that is not http(s), a bad name and malformed JSON, each with a clear error', async () => {
    const huge = await put(
      'huge',
      JSON.stringify({ routingUrl: 'http://127.0.0.1:9/graphql', sdl: `type Query { x: String }\n${'#'.repeat(5 * 1024 * 1024)}` }),
      admin,
    );
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/at most 524288 bytes/);
    const ftp = await put('files', JSON.stringify({ routingUrl: 'ftp://127.0.0.1/graphql', sdl: 'type Query { x: String }' }), admin);
    expect(ftp.status).toBe(400);
    expect(((await ftp.json()) as { error: string }).error).toBe('routingUrl must be http or https, not "ftp"');
    const script = await put('files', JSON.stringify({ routingUrl: 'javascript:alert(1)', sdl: 'type Query { x: String }' }), admin);
    expect(script.status).toBe(400);
    const badName = await put('Bad%20Name', valid, admin);
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { error: string }).error).toMatch(/subgraph name "Bad Name" is invalid/);
    const reserved = await put('directory', valid, admin);
    expect(reserved.status).toBe(400);
    const malformed = await put('broken', '{"routingUrl": ', admin);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toBe('request body is not valid JSON');
    const notSdl = await put('broken', JSON.stringify({ routingUrl: sdls.serve('broken', 'type Query {'), sdl: 'type Query {' }), admin);
    expect(notSdl.status).toBe(422);
    expect(((await notSdl.json()) as { errors: string[] }).errors[0]).toMatch(/subgraph "broken": invalid SDL/);
    const cli = await gatehouse(['subgraph', 'publish', '--name', 'files', '--routing-url', 'ftp://x/graphql', '--schema', '/nonexistent.graphql'], {
      GATEHOUSE_REGISTRY_URL: system.registryUrl,
    });
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim()).toBe('gatehouse: cannot read the schema file /nonexistent.graphql (ENOENT)');
    const subgraphs = ((await (await fetch(`${system.registryUrl}/v1/subgraphs`)).json()) as { subgraphs: Array<{ name: string }> }).subgraphs;
    expect(subgraphs.map((s) => s.name).sort()).toEqual(['approval', 'catalog', 'daehan', 'hanbit', 'sejong']);
  });
});
