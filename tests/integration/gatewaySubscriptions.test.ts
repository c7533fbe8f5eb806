import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startInProcessGateway, type InProcessGateway } from '../support/inProcessGateway.ts';
import { startOwners, startTicker, writeTickerOwnersConfig, type TestSubgraph } from '../support/subscriptionSubgraphs.ts';
import { userToken } from '../support/tokens.ts';
import { waitFor } from '../support/waitFor.ts';

const SECRET = 'subscription-test-secret';
const TICKS = 'subscription ($count: Int!) { ticks(count: $count) { n subscriber system { id owner } } }';

let dir: string;
let ticker: TestSubgraph;
let owners: TestSubgraph;
let gateway: InProcessGateway;
let gatewayUrl: string;

const token = (sub: string, secret = SECRET) => userToken(sub, { secret, expiresInSeconds: 300 });

function wsClient(connectionParams: Record<string, unknown> = {}): Client {
  return createClient({ url: gatewayUrl.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

async function collect<T>(iterator: AsyncIterable<T>, limit = 100): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-subs-'));
  [ticker, owners] = await Promise.all([startTicker(), startOwners()]);
  const config = writeTickerOwnersConfig(dir, ticker, owners);
  gateway = await startInProcessGateway({ SUPERGRAPH_CONFIG: config, JWT_SECRET: SECRET, GATEHOUSE_IDENTITY_SUBGRAPHS: 'ticker' });
  gatewayUrl = gateway.url;
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([ticker?.close(), owners?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('federated subscriptions at the gateway', () => {
  it('streams over graphql-ws and resolves fields another subgraph owns for every event', async () => {
    const client = wsClient();
    const events = await collect(client.iterate({ query: TICKS, variables: { count: 3 } }));
    await client.dispose();
    expect(events.map((e) => e.data)).toEqual([
      { ticks: { n: 1, subscriber: null, system: { id: 'hr', owner: 'People Team' } } },
      { ticks: { n: 2, subscriber: null, system: { id: 'finance', owner: 'Finance Team' } } },
      { ticks: { n: 3, subscriber: null, system: { id: 'hr', owner: 'People Team' } } },
    ]);
  });

  it("passes each client's identity to the owning subgraph on its own subscription, as an assertion for it alone", async () => {
    const aliceToken = await token('alice');
    const alice = wsClient({ Authorization: `Bearer ${aliceToken}` });
    const anonymous = wsClient();
    const [aliceEvents, anonymousEvents] = await Promise.all([
      collect(alice.iterate({ query: TICKS, variables: { count: 2 } })),
      collect(anonymous.iterate({ query: TICKS, variables: { count: 2 } })),
    ]);
    await Promise.all([alice.dispose(), anonymous.dispose()]);
    const subscribers = aliceEvents.map((e) => (e.data as { ticks: { subscriber: string } }).ticks.subscriber);
    expect(subscribers).toHaveLength(2);
    for (const subscriber of subscribers) {
      expect(subscriber).not.toContain(aliceToken);
      const claims = JSON.parse(Buffer.from(subscriber.slice('Bearer '.length).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims).toMatchObject({ sub: 'alice', aud: 'ticker', iss: 'gatehouse-gateway' });
    }
    expect(anonymousEvents.every((e) => (e.data as { ticks: { subscriber: null } }).ticks.subscriber === null)).toBe(true);
  });

  it('multiplexes many clients over one upstream socket', async () => {
    const clients = Array.from({ length: 25 }, () => wsClient());
    const started = new Set<number>();
    const runs = clients.map(async (c, i) => {
      const events: unknown[] = [];
      for await (const event of c.iterate({ query: 'subscription { ticks(count: 5, intervalMs: 100) { n } }' })) {
        started.add(i);
        events.push(event);
      }
      return events;
    });
    // Every client has its stream running: all of them are upstream now, over one socket.
    await waitFor('every client to receive its first tick', () => started.size === clients.length);
    expect(ticker.sockets()).toBe(1);
    const results = await Promise.all(runs);
    expect(results.every((events) => events.length === 5)).toBe(true);
    await Promise.all(clients.map(async (c) => c.dispose()));
  });

  it('streams over Server-Sent Events as well', async () => {
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: TICKS, variables: { count: 2 } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const payloads = text
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line.length > 6)
      .map((line) => JSON.parse(line.slice(6)) as { data?: unknown });
    expect(payloads.filter((p) => p.data)).toEqual([
      { data: { ticks: { n: 1, subscriber: null, system: { id: 'hr', owner: 'People Team' } } } },
      { data: { ticks: { n: 2, subscriber: null, system: { id: 'finance', owner: 'Finance Team' } } } },
    ]);
  });

  it('closes a WebSocket whose token does not verify with 4403, and refuses it over SSE with 401', async () => {
    const client = wsClient({ Authorization: `Bearer ${await token('mallory', 'another-secret')}` });
    const error = await collect(client.iterate({ query: TICKS, variables: { count: 1 } })).catch((e: unknown) => e);
    await client.dispose();
    expect((error as { code?: number }).code).toBe(4403);
    const sse = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer not-a-jwt' },
      body: JSON.stringify({ query: TICKS, variables: { count: 1 } }),
    });
    expect(sse.status).toBe(401);
  });

  it('answers a malformed subscription with a validation error, not a stream', async () => {
    const client = wsClient();
    const error = await collect(client.iterate({ query: 'subscription { ticks(count: "three") { n } }' })).catch((e: unknown) => e);
    await client.dispose();
    expect(Array.isArray(error) && (error as Array<{ message: string }>)[0]?.message).toMatch(/Int cannot represent/);
  });
});
