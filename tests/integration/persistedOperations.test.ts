import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityForwarding } from '../../gateway/auth/createIdentityForwarding.ts';
import { createGateway, type RunningGateway } from '../../gateway/createGateway.ts';
import { edgeConfigFromEnv } from '../../gateway/http/edgeConfig.ts';
import { persistedConfigFromEnv } from '../../gateway/persisted/persistedConfig.ts';
import { createRegistrySupergraph } from '../../gateway/supergraph/createRegistrySupergraph.ts';
import { createAssertionSigner, generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { operationId } from '../../lib/operations/operationId.ts';
import { startRegistry, type RunningRegistry } from '../../registry/startRegistry.ts';
import { COST_SDL, quietLog, startCostSubgraph, type CostSubgraph } from '../support/edgeGateway.ts';
import { gatehouse } from '../support/gatehouseCli.ts';
import { startSdlSubgraph, type SdlSubgraph } from '../support/sdlSubgraph.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

const ADMIN = 'test-admin-token-for-persisted-operations';
const RUN = randomUUID().slice(0, 8);
const REDIS_URL = process.env.GATEWAY_RATE_LIMIT_REDIS_URL || 'redis://127.0.0.1:6379';
const EXTRAS_V1 = 'type Query { banner: String  motd: String  legacy: String  served: String }';

let mongo: MongoConnection;
let registry: RunningRegistry;
let shop: CostSubgraph;
let extras: SdlSubgraph;
/** Two demo replicas sharing APQ through Redis, and one production gateway that lets only "internal-tools" send free-form operations. */
let demoA: RunningGateway;
let demoB: RunningGateway;
let production: RunningGateway;
let cli: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-manifests-'));

async function startGateway(env: NodeJS.ProcessEnv): Promise<RunningGateway> {
  const keys = await generateAssertionKeys();
  const profile = env.GATEHOUSE_PROFILE === 'production' ? 'production' : 'demo';
  return createGateway({
    supergraph: createRegistrySupergraph({ registryUrl: registry.url, log: quietLog, pollMs: 200 }),
    log: quietLog,
    port: 0,
    host: '127.0.0.1',
    subgraphDeadlineMs: 3000,
    jwtSecret: 'persisted-test-secret',
    identity: { forward: createIdentityForwarding(await createAssertionSigner(keys.privateKeyPem), new Set()), jwks: keys.jwks },
    edge: edgeConfigFromEnv({}),
    persisted: { ...persistedConfigFromEnv(env, profile), registryUrl: registry.url, pollMs: 200, usageReportMs: 200 },
  });
}

/** POSTs a GraphQL-over-HTTP body to a gateway as client `client`. */
async function send(gateway: RunningGateway, body: Record<string, unknown>, client = 'mobile-ios') {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollographql-client-name': client },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: response.status, ...json, code: json.errors?.[0]?.extensions?.code };
}
const byHash = (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });

function manifestFile(name: string, operations: Array<{ name: string; body: string; id?: string }>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: operations.map((o) => ({ id: o.id ?? operationId(o.body), name: o.name, type: 'query', body: o.body })),
    }),
  );
  return path;
}
function schemaFile(name: string, sdl: string): string {
  const path = join(dir, `${name}.graphql`);
  writeFileSync(path, sdl);
  return path;
}

beforeAll(async () => {
  mongo = await createTestDatabase('persisted');
  shop = await startCostSubgraph();
  extras = await startSdlSubgraph(EXTRAS_V1);
  registry = await startRegistry({
    db: mongo.db,
    log: quietLog,
    adminToken: ADMIN,
    seed: () => [
      { name: 'shop', url: shop.url, sdl: COST_SDL },
      { name: 'extras', url: extras.url, sdl: EXTRAS_V1 },
    ],
    port: 0,
    schemaChecks: 'usage',
  });
  const apq = { GATEWAY_APQ: 'true', GATEWAY_APQ_REDIS_URL: REDIS_URL };
  [demoA, demoB, production] = await Promise.all([
    startGateway(apq),
    startGateway(apq),
    startGateway({ GATEHOUSE_PROFILE: 'production', GATEWAY_FREEFORM_CLIENTS: 'internal-tools' }),
  ]);
  cli = { GATEHOUSE_REGISTRY_URL: registry.url, GATEHOUSE_ADMIN_TOKEN: ADMIN, GATEHOUSE_TOKEN: '', GATEHOUSE_USER: 'app-release' };
});

afterAll(async () => {
  await Promise.all([demoA?.close(), demoB?.close(), production?.close()]);
  await registry?.close();
  await shop?.close();
  await extras?.close();
  await mongo?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ITEMS = `query Items${RUN} { items(first: 2) { id name } }`;
const BANNER = `query Banner${RUN} { banner motd }`;

describe('persisted operations at the gateway', () => {
  it('answers an id no manifest holds PERSISTED_QUERY_NOT_FOUND, and a hash that is not its query PERSISTED_QUERY_HASH_MISMATCH', async () => {
    const unknown = operationId(`query Nothing${RUN} { items { id } }`);
    for (const gateway of [demoA, production]) {
      expect(await send(gateway, byHash(unknown))).toMatchObject({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
      expect(await send(gateway, { documentId: `sha256:${unknown}` })).toMatchObject({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
    }
    const mismatch = await send(demoA, { query: ITEMS, ...byHash(unknown) });
    expect(mismatch).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_HASH_MISMATCH' });
    expect(mismatch.errors?.[0]?.message).toContain(`the query's sha256 is ${operationId(ITEMS)}, not the id sent (${unknown})`);
  });

  it('refuses a manifest whose operation does not validate, naming it, and stores nothing', async () => {
    const broken = `query Broken${RUN} { items(first: 1) { id price } }`;
    const refused = await gatehouse(
      [
        'operations',
        'publish',
        '--client',
        'mobile-ios',
        '--version',
        '3.1.0',
        manifestFile('broken', [
          { name: `Items${RUN}`, body: ITEMS },
          { name: `Broken${RUN}`, body: broken },
        ]),
      ],
      cli,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused: 1 operation\(s\) do not validate/);
    expect(refused.stderr).toContain(`operation "Broken${RUN}" does not validate against the current supergraph: Cannot query field "price" on type "Item".`);
    const badId = await gatehouse(
      [
        'operations',
        'publish',
        '--client',
        'mobile-ios',
        '--version',
        '3.1.0',
        manifestFile('bad-id', [{ name: `Items${RUN}`, body: ITEMS, id: operationId('something else') }]),
      ],
      cli,
    );
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/is not the sha256 of its body/);
    const listed = await gatehouse(['operations', 'list'], cli);
    expect(listed.stdout).toMatch(/^0 manifests/);
    expect(await send(demoA, byHash(operationId(ITEMS)))).toMatchObject({ code: 'PERSISTED_QUERY_NOT_FOUND' });
  });

  it('serves a published manifest by id on every gateway within seconds, by sha256Hash and by documentId', async () => {
    const published = await gatehouse(
      [
        'operations',
        'publish',
        '--client',
        'mobile-ios',
        '--version',
        '3.2.0',
        manifestFile('app', [
          { name: `Items${RUN}`, body: ITEMS },
          { name: `Banner${RUN}`, body: BANNER },
        ]),
      ],
      cli,
    );
    expect(published.stderr).toBe('');
    expect(published.stdout).toMatch(/mobile-ios 3\.2\.0: 2 operations published/);
    const started = Date.now();
    for (const gateway of [demoA, demoB, production]) {
      await waitFor('the manifest at the gateway', async () => (await send(gateway, byHash(operationId(ITEMS)))).data, 5000);
    }
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await send(production, byHash(operationId(ITEMS)))).toMatchObject({ status: 200, data: { items: [{ id: 'item-0' }, { id: 'item-1' }] } });
    expect(await send(production, { documentId: `sha256:${operationId(ITEMS)}` })).toMatchObject({
      status: 200,
      data: { items: [{ id: 'item-0' }, { id: 'item-1' }] },
    });
    expect((await gatehouse(['operations', 'list'], cli)).stdout).toMatch(/^mobile-ios\s+3\.2\.0\s+2 operations\s+by app-release/m);
  });

  it('in production refuses a free-form operation from a client not allowed it, and runs it for an allowed client', async () => {
    const freeform = `query Free${RUN} { items(first: 1) { id } }`;
    const refused = await send(production, { query: freeform }, 'mobile-ios');
    expect(refused).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_ID_REQUIRED' });
    expect(refused.errors?.[0]?.message).toMatch(/client "mobile-ios" may only send operations from a published manifest/);
    // Registering by hash is free-form too.
    expect(await send(production, { query: freeform, ...byHash(operationId(freeform)) }, 'mobile-ios')).toMatchObject({
      status: 400,
      code: 'PERSISTED_QUERY_ID_REQUIRED',
    });
    expect(await send(production, { query: freeform }, 'internal-tools')).toMatchObject({ status: 200, data: { items: [{ id: 'item-0' }] } });
    // The text of a manifest's operation is as good as its id.
    expect(await send(production, { query: ITEMS }, 'mobile-ios')).toMatchObject({ status: 200, data: { items: [{ id: 'item-0' }, { id: 'item-1' }] } });
  });

  it('registers an APQ hash on a miss, and another replica serves it through Redis', async () => {
    const query = `query Apq${RUN} { items(first: 3) { id } }`;
    const id = operationId(query);
    expect(await send(demoA, byHash(id), 'web')).toMatchObject({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(await send(demoA, { query, ...byHash(id) }, 'web')).toMatchObject({
      status: 200,
      data: { items: [{ id: 'item-0' }, { id: 'item-1' }, { id: 'item-2' }] },
    });
    expect(await send(demoB, byHash(id), 'web')).toMatchObject({ status: 200, data: { items: [{ id: 'item-0' }, { id: 'item-1' }, { id: 'item-2' }] } });
  });
});

describe('usage-based schema checks', () => {
  it('refuses a subgraph change that breaks a published operation, naming it and its client', async () => {
    const v2 = 'type Query { banner: String  legacy: String  served: String }';
    extras.serve(v2);
    for (const action of ['check', 'publish']) {
      const refused = await gatehouse(['subgraph', action, '--name', 'extras', '--routing-url', extras.url, '--schema', schemaFile('no-motd', v2)], cli);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/would break existing clients/);
      expect(refused.stderr).toContain(`operation "Banner${RUN}" of mobile-ios 3.2.0 (manifest) would break: Cannot query field "motd" on type "Query".`);
    }
  });

  it('refuses a change that breaks an operation the gateways served, naming its client', async () => {
    const served = `query Served${RUN} { served }`;
    expect(await send(demoA, { query: served }, 'portal-web')).toMatchObject({ status: 200 });
    const v2 = 'type Query { banner: String  motd: String  legacy: String }';
    extras.serve(v2);
    const schema = schemaFile('no-served', v2);
    // The gateway reports every 200 ms; the check sees it once the registry has it.
    const refused = await waitFor(
      'the served operation in the check',
      async () => {
        const run = await gatehouse(['subgraph', 'check', '--name', 'extras', '--routing-url', extras.url, '--schema', schema], cli);
        return run.code === 1 && run.stderr.includes(`Served${RUN}`) ? run : null;
      },
      10_000,
    );
    expect(refused.stderr).toMatch(
      new RegExp(`operation "Served${RUN}" of portal-web \\(served 1 time, last [^)]+\\) would break: Cannot query field "served" on type "Query"\\.`),
    );
  });

  it('accepts a change breaking by type rules that touches no known operation, without --allow-breaking, and says so', async () => {
    const v2 = 'type Query { banner: String  motd: String  served: String }';
    extras.serve(v2);
    const accepted = await gatehouse(['subgraph', 'publish', '--name', 'extras', '--routing-url', extras.url, '--schema', schemaFile('no-legacy', v2)], cli);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/extras published: revision 2/);
    expect(accepted.stdout).toMatch(
      /breaking by type rules, but none of the \d+ operation\(s\) in published manifests or served in the usage window uses what changed; accepted without allowBreaking/,
    );
    expect(accepted.stdout).toMatch(/breaking by type rules, unused: Query\.legacy was removed\./);
  });
});
