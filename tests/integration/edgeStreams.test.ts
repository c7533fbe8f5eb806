import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { freePort } from '../../lib/http/freePort.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { operationId } from '../../lib/operations/operationId.ts';
import { startRegistry, type RunningRegistry } from '../../registry/startRegistry.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { quietLog } from '../support/edgeGateway.ts';
import { gatehouse } from '../support/gatehouseCli.ts';
import { startSdlSubgraph, type SdlSubgraph } from '../support/sdlSubgraph.ts';
import { OWNERS_SDL, startOwners, startTicker, TICKER_SDL, type TestSubgraph } from '../support/subscriptionSubgraphs.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The public edge over WebSocket and SSE: two production gateway processes
 * following one registry's manifests, sharing rate limits through Redis and
 * reporting what they serve for the registry's usage-based checks.
 */
const ADMIN = 'edge-streams-admin-token';
const SECRET = 'edge-streams-jwt-secret';
const RUN = randomUUID().slice(0, 8);
const REDIS_URL = process.env.GATEWAY_RATE_LIMIT_REDIS_URL || 'redis://127.0.0.1:6379';
const PER_CLIENT = 6;
const PER_USER_CONNECTIONS = 2;

const TICKS = `subscription Ticks${RUN}($count: Int!) { ticks(count: $count, intervalMs: 10) { n system { id owner } } }`;
const HEALTH = `query Health${RUN} { tickerHealth }`;
const FREEFORM_CLIENT = `internal-tools-${RUN}`;
const FREEFORM_TICKS = `subscription Other${RUN} { ticks(count: 1) { n } }`;
/** Allowed free-form text too, each with a rate budget of its own. */
const COST_CLIENT = `cost-tools-${RUN}`;
const USAGE_CLIENT = `usage-tools-${RUN}`;
const MAX_COST = 5;
/** A tick costs 1 and each aliased `system` object 1 more. */
const costly = (systems: number) => `subscription { ticks(count: 1) { n ${Array.from({ length: systems }, (_, i) => `s${i}: system { id }`).join(' ')} } }`;

let mongo: MongoConnection;
let registry: RunningRegistry;
let ticker: TestSubgraph;
let owners: TestSubgraph;
let standIn: SdlSubgraph | undefined;
let dir: string;
const gateways: Array<{ process: ServiceProcess; url: string }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-edge-streams-'));
  mongo = await createTestDatabase('edge_streams');
  [ticker, owners] = await Promise.all([startTicker(), startOwners()]);
  registry = await startRegistry({
    db: mongo.db,
    log: quietLog,
    adminToken: ADMIN,
    seed: () => [
      { name: 'ticker', url: ticker.url, sdl: TICKER_SDL },
      { name: 'owners', url: owners.url, sdl: OWNERS_SDL },
    ],
    port: 0,
    schemaChecks: 'usage',
  });
  const manifest = join(dir, 'manifest.json');
  writeFileSync(
    manifest,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        { id: operationId(TICKS), name: `Ticks${RUN}`, type: 'subscription', body: TICKS },
        { id: operationId(HEALTH), name: `Health${RUN}`, type: 'query', body: HEALTH },
      ],
    }),
  );
  const published = await gatehouse(['operations', 'publish', '--client', 'mobile-ios', '--version', `9.${RUN}`, manifest], {
    GATEHOUSE_REGISTRY_URL: registry.url,
    GATEHOUSE_ADMIN_TOKEN: ADMIN,
    GATEHOUSE_TOKEN: '',
  });
  expect(published.code, published.stderr).toBe(0);

  const keys = await generateAssertionKeys();
  for (let i = 0; i < 2; i += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      GATEHOUSE_PROFILE: 'production',
      GATEHOUSE_INTROSPECTION: '',
      NODE_ENV: '',
      JWT_SECRET: SECRET,
      GATEWAY_SIGNING_KEY: keys.privateKeyPem,
      GATEHOUSE_REGISTRY_URL: registry.url,
      GATEWAY_REGISTRY_POLL_MS: '200',
      SUPERGRAPH_PATH: '',
      GATEWAY_FREEFORM_CLIENTS: [FREEFORM_CLIENT, COST_CLIENT, USAGE_CLIENT].join(','),
      GATEWAY_MAX_COST: String(MAX_COST),
      GATEWAY_USAGE_REPORT_MS: '200',
      GATEWAY_RATE_LIMIT_REDIS_URL: REDIS_URL,
      GATEWAY_RATE_LIMIT_WINDOW_SECONDS: '60',
      GATEWAY_RATE_LIMIT_PER_CLIENT: String(PER_CLIENT),
      GATEWAY_RATE_LIMIT_PER_USER: '1000',
      GATEWAY_MAX_CONNECTIONS_PER_USER: String(PER_USER_CONNECTIONS),
    };
    gateways.push({
      process: await spawnService({ name: `gateway-${i}`, entry: 'gateway/main.ts', env, readyUrl: `${url}/readyz` }, { logs: { logDir: dir } }),
      url,
    });
  }
  // Both have loaded the manifest once the query it holds runs by id (each try a client of its own, within its budget).
  let probes = 0;
  for (const { url } of gateways) {
    await waitFor('the gateway to learn the published manifest', async () => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollographql-client-name': `probe-${RUN}-${(probes += 1)}` },
        body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: operationId(HEALTH) } } }),
      });
      return ((await response.json()) as { data?: unknown }).data !== undefined;
    });
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.process.stop()));
  await registry?.close();
  await Promise.all([ticker?.close(), owners?.close(), standIn?.close()]);
  await mongo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Socket {
  client: Client;
  /** Set once the socket closed: its close code and reason. */
  closed(): { code: number; reason: string } | null;
}

/** A graphql-ws client that connects at once, retries nothing and records how its socket closed. */
function connect(gateway: number, connectionParams: Record<string, unknown>): Socket {
  let closed: { code: number; reason: string } | null = null;
  const client = createClient({
    url: `${gateways[gateway]!.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
  });
  client.on('closed', (event) => {
    const { code, reason } = event as { code: number; reason: string };
    closed = { code, reason };
  });
  return { client, closed: () => closed };
}

/** Runs one operation on a socket to its end: the results it got, or the errors of its `error` message. */
function run(socket: Socket, payload: Record<string, unknown>): Promise<{ data: unknown[]; errors: readonly GraphQLFormattedError[] | null }> {
  return new Promise((resolve) => {
    const data: unknown[] = [];
    socket.client.subscribe(
      { query: '', ...payload },
      {
        next: (result: FormattedExecutionResult) => void data.push(result.data),
        error: (error) => resolve({ data, errors: Array.isArray(error) ? error : [{ message: String(error) }] }),
        complete: () => resolve({ data, errors: null }),
      },
    );
  });
}

const byHash = (query: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: operationId(query) } } });

/** One SSE request to its end: status, headers and the events it streamed. */
async function sse(gateway: number, body: Record<string, unknown>, headers: Record<string, string>) {
  const response = await fetch(`${gateways[gateway]!.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const events = text
    .split('\n\n')
    // Comment lines (":") keep the stream alive and carry nothing.
    .filter((block) => /^event: /m.test(block))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1] ?? '';
      return { event, data: data === '' ? null : (JSON.parse(data) as FormattedExecutionResult) };
    });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), contentType: response.headers.get('content-type'), events };
}

describe('trusted documents over WebSocket and SSE (production)', () => {
  it('runs a published subscription by id over graphql-ws, refuses free-form text from the app with an error for that id only, and keeps the socket open', async () => {
    const socket = connect(0, { 'apollographql-client-name': `mobile-${RUN}-ws` });
    const refused = await run(socket, { query: FREEFORM_TICKS });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' } });
    expect(refused.errors?.[0]?.message).toContain(`client "mobile-${RUN}-ws" may only send operations from a published manifest`);
    const unknown = await run(socket, byHash(`subscription Nothing${RUN} { ticks(count: 1) { n } }`));
    expect(unknown.errors?.[0]).toMatchObject({ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });

    const byId = await run(socket, { ...byHash(TICKS), variables: { count: 2 } });
    expect(byId).toEqual({
      errors: null,
      data: [{ ticks: { n: 1, system: { id: 'hr', owner: 'People Team' } } }, { ticks: { n: 2, system: { id: 'finance', owner: 'Finance Team' } } }],
    });
    const byDocumentId = await run(socket, { documentId: `sha256:${operationId(TICKS)}`, variables: { count: 1 } });
    expect(byDocumentId.data).toHaveLength(1);
    expect(socket.closed()).toBeNull();
    await socket.client.dispose();
  });

  it('lets a client allowed free-form text subscribe with it, named in the connection params, under the operation limits', async () => {
    const socket = connect(1, { 'apollographql-client-name': FREEFORM_CLIENT });
    expect(await run(socket, { query: FREEFORM_TICKS })).toEqual({ errors: null, data: [{ ticks: { n: 1 } }] });
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: n`).join(' ');
    const tooMany = await run(socket, { query: `subscription { ticks(count: 1) { ${aliases} } }` });
    expect(tooMany.errors?.[0]).toMatchObject({ extensions: { code: 'ALIAS_LIMIT_EXCEEDED' } });
    expect(tooMany.errors?.[0]?.message).toMatch(/uses 11 aliases, over the limit of 10/);
    await socket.client.dispose();
  });

  it('streams a published subscription by documentId over SSE, and refuses free-form text as the protocol says: a next event with the error, then complete', async () => {
    const app = { 'apollographql-client-name': `mobile-${RUN}-sse` };
    const byId = await sse(1, { documentId: operationId(TICKS), variables: { count: 2 } }, app);
    expect(byId.status).toBe(200);
    expect(byId.events.map((e) => e.event)).toEqual(['next', 'next', 'complete']);
    expect(byId.events[1]?.data).toEqual({ data: { ticks: { n: 2, system: { id: 'finance', owner: 'Finance Team' } } } });

    const refused = await sse(1, { query: FREEFORM_TICKS }, app);
    expect(refused.status).toBe(200);
    expect(refused.contentType).toContain('text/event-stream');
    expect(refused.events).toEqual([
      { event: 'next', data: { errors: [expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' } })] } },
      { event: 'complete', data: null },
    ]);
    expect(await sse(1, { query: FREEFORM_TICKS }, { 'apollographql-client-name': FREEFORM_CLIENT })).toMatchObject({
      events: [{ event: 'next', data: { data: { ticks: { n: 1 } } } }, { event: 'complete' }],
    });
  });
});

describe('rate limits over WebSocket and SSE, shared by both replicas through Redis', () => {
  it("count each connection and each subscribe against the client's budget on either replica; past it a subscribe gets RATE_LIMITED with retry-after for its id while the socket stays open", async () => {
    const name = `limited-${RUN}`;
    const other = `unlimited-${RUN}`;
    // 2 connections + 4 subscribes = the budget of 6, spread over both replicas.
    const first = connect(0, { 'apollographql-client-name': name });
    const second = connect(1, { 'apollographql-client-name': name });
    for (const socket of [first, second, first, second]) expect((await run(socket, { ...byHash(TICKS), variables: { count: 1 } })).errors).toBeNull();

    const refused = await run(second, { ...byHash(TICKS), variables: { count: 1 } });
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors?.[0]?.message).toMatch(new RegExp(`^too many requests from client "${name}"; retry after \\d+ s$`));
    const retryAfter = (refused.errors?.[0]?.extensions as { code: string; retryAfterSeconds: number }).retryAfterSeconds;
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(first.closed()).toBeNull();
    expect(second.closed()).toBeNull();

    // A new connection is a request too: refused with "try again later" and the reason.
    const third = connect(0, { 'apollographql-client-name': name });
    await waitFor('the third connection to be refused', () => third.closed());
    expect(third.closed()?.code).toBe(1013);
    expect(third.closed()?.reason).toMatch(new RegExp(`^too many requests from client "${name}"; retry after \\d+ s$`));

    // Over SSE, in the protocol's way, with Retry-After.
    const overSse = await sse(1, byHash(TICKS), { 'apollographql-client-name': name });
    expect(overSse.status).toBe(200);
    expect(Number(overSse.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(overSse.events[0]?.data?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(overSse.events[0]?.data?.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(overSse.events[1]?.event).toBe('complete');

    // Another client's budget is its own.
    const fine = connect(1, { 'apollographql-client-name': other });
    expect((await run(fine, { ...byHash(TICKS), variables: { count: 1 } })).errors).toBeNull();
    await Promise.all([first.client.dispose(), second.client.dispose(), third.client.dispose(), fine.client.dispose()]);
  });

  it(`hold a signed-in user to ${PER_USER_CONNECTIONS} open connections at a replica, counting WebSockets and SSE streams alike, and free one when it closes`, async () => {
    const token = await signToken({ userId: `carol-${RUN}`, secret: SECRET });
    // A client name per connection, so only the user's connection limit is in play.
    let apps = 0;
    const params = () => ({ Authorization: `Bearer ${token}`, 'apollographql-client-name': `carol-app-${RUN}-${(apps += 1)}` });
    const held = [connect(0, params()), connect(0, params())];
    for (const socket of held) expect((await run(socket, { ...byHash(TICKS), variables: { count: 1 } })).errors).toBeNull();
    const over = connect(0, params());
    await waitFor('the connection over the user’s limit to be refused', () => over.closed());
    expect(over.closed()?.code).toBe(1013);
    expect(over.closed()?.reason).toContain('this user already holds 2 open subscription connections');
    const overSse = await sse(0, byHash(TICKS), { authorization: `Bearer ${token}`, 'apollographql-client-name': `carol-app-${RUN}-sse` });
    expect(overSse.events[0]?.data?.errors?.[0]).toMatchObject({ extensions: { code: 'TOO_MANY_CONNECTIONS' } });

    // The other replica holds none of hers.
    const elsewhere = connect(1, params());
    expect((await run(elsewhere, { ...byHash(TICKS), variables: { count: 1 } })).errors).toBeNull();

    await held[0]!.client.dispose();
    await waitFor('a connection to come free once one closed', async () => {
      const again = connect(0, params());
      const result = await run(again, { ...byHash(TICKS), variables: { count: 1 } });
      await again.client.dispose();
      return result.errors === null;
    });
    await Promise.all([held[1]!.client.dispose(), over.client.dispose(), elsewhere.client.dispose()]);
  });
});

describe('demand control and usage reports for subscriptions over WebSocket and SSE', () => {
  it(`refuses a subscription whose estimated cost is over ${MAX_COST} with COST_LIMIT_EXCEEDED and the figures, and streams one at the limit`, async () => {
    const refusal = { code: 'COST_LIMIT_EXCEEDED' };
    const figures = new RegExp(`^the operation's estimated cost ${MAX_COST + 1} is over the limit of ${MAX_COST};`);
    const socket = connect(0, { 'apollographql-client-name': COST_CLIENT });
    const over = await run(socket, { query: costly(MAX_COST) });
    expect(over.data).toEqual([]);
    expect(over.errors).toHaveLength(1);
    expect(over.errors?.[0]?.extensions).toEqual(refusal);
    expect(over.errors?.[0]?.message).toMatch(figures);
    expect(socket.closed()).toBeNull();
    const atLimit = await run(socket, { query: costly(MAX_COST - 1) });
    expect(atLimit).toEqual({ errors: null, data: [{ ticks: { n: 1, s0: { id: 'hr' }, s1: { id: 'hr' }, s2: { id: 'hr' }, s3: { id: 'hr' } } }] });
    await socket.client.dispose();

    const app = { 'apollographql-client-name': COST_CLIENT };
    const overSse = await sse(1, { query: costly(MAX_COST) }, app);
    expect(overSse.status).toBe(200);
    expect(overSse.events.map((e) => e.event)).toEqual(['next', 'complete']);
    expect(overSse.events[0]?.data?.errors).toHaveLength(1);
    expect(overSse.events[0]?.data?.errors?.[0]?.extensions).toEqual(refusal);
    expect(overSse.events[0]?.data?.errors?.[0]?.message).toMatch(figures);
    expect(overSse.events[0]?.data?.data).toBeUndefined();
    const atLimitSse = await sse(1, { query: costly(MAX_COST - 1) }, app);
    expect(atLimitSse.events).toEqual([
      { event: 'next', data: { data: { ticks: { n: 1, s0: { id: 'hr' }, s1: { id: 'hr' }, s2: { id: 'hr' }, s3: { id: 'hr' } } } } },
      { event: 'complete', data: null },
    ]);
  });

  it('reports a subscription, and a query sent over the socket, to the registry, which then refuses a subgraph change breaking them, naming each operation and its client', async () => {
    const served = `subscription Served${RUN} { ticks(count: 1) { n subscriber } }`;
    const asked = `query Asked${RUN} { tickerHealth }`;
    // Over SSE from one replica, over WebSocket from the other: both report.
    expect((await sse(0, { query: served }, { 'apollographql-client-name': USAGE_CLIENT })).events.map((e) => e.event)).toEqual(['next', 'complete']);
    const socket = connect(1, { 'apollographql-client-name': USAGE_CLIENT });
    expect((await run(socket, { query: served })).errors).toBeNull();
    // A query over the socket runs through Apollo Server, which reports it under the connection's client too.
    expect((await run(socket, { query: asked })).errors).toBeNull();
    await socket.client.dispose();

    // Ticker without `subscriber`, served by a stand-in so the registry's probe of the routing URL passes.
    const withoutSubscriber = TICKER_SDL.replace(' subscriber: String', '').replace('{ tickerHealth: Boolean }', '{ tickerReady: Boolean }');
    expect(withoutSubscriber).not.toBe(TICKER_SDL);
    standIn = await startSdlSubgraph(withoutSubscriber);
    const schema = join(dir, 'ticker-without-subscriber.graphql');
    writeFileSync(schema, withoutSubscriber);
    const cli = { GATEHOUSE_REGISTRY_URL: registry.url, GATEHOUSE_ADMIN_TOKEN: ADMIN, GATEHOUSE_TOKEN: '' };
    const change = (action: string) => gatehouse(['subgraph', action, '--name', 'ticker', '--routing-url', standIn!.url, '--schema', schema], cli);
    // The gateways report every 200 ms; the check sees the operation once the registry has both reports.
    const refused = await waitFor(
      'the served subscription in the check',
      async () => {
        const checked = await change('check');
        return checked.code === 1 &&
          /operation "Served\w+" of \S+ \(served 2 times/.test(checked.stderr) &&
          /operation "Asked\w+" of \S+ \(served/.test(checked.stderr)
          ? checked
          : null;
      },
      15_000,
    );
    const naming = new RegExp(
      `operation "Served${RUN}" of ${USAGE_CLIENT} \\(served 2 times, last [^)]+\\) would break: Cannot query field "subscriber" on type "Tick"\\.`,
    );
    expect(refused.stderr).toMatch(/would break existing clients/);
    expect(refused.stderr).toMatch(naming);
    expect(refused.stderr).toMatch(new RegExp(`operation "Asked${RUN}" of ${USAGE_CLIENT} \\(served 1 time,`));
    const published = await change('publish');
    expect(published.code).toBe(1);
    expect(published.stderr).toMatch(naming);
  });
});
