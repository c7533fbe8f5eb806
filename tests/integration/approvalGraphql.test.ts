import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../lib/auth/signToken.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createInProcessChangeFeed, type ChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import { eventsUrlOf, postEvents } from '../../subgraphs/approval/events/postEvents.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { approvalIdentity, assertionFor, expiredAssertionFor } from '../support/gatewayIdentity.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

process.env.LOG_LEVEL ??= 'silent';
let database: MongoConnection;
let changeFeed: ChangeFeed;
let subgraph: ApprovalSubgraph;
let seq = 0;

beforeAll(async () => {
  database = await createTestDatabase('approval_graphql');
  changeFeed = createInProcessChangeFeed();
  subgraph = await createApprovalSubgraph({ db: database.db, port: 0, systems: DEMO_SYSTEMS, identity: approvalIdentity, changeFeed });
});
afterAll(async () => {
  await subgraph?.close();
  await changeFeed?.close();
  await database?.close();
});

/** Sets a user's count in one system, as that system would. */
async function setCount(userId: string, system: string, count: number): Promise<void> {
  seq += 1;
  const secret = DEMO_SYSTEMS.find((s) => s.id === system)!.secret;
  const result = await postEvents(
    eventsUrlOf(subgraph.url),
    { system, userId, count, seq, occurredAt: new Date(Date.UTC(2026, 10, 22) + seq * 1000).toISOString() },
    secret,
  );
  expect(result.status).toBe(202);
}

/** As the gateway sends it; `forged` is a client's own token, which the subgraph must refuse. */
const bearer = async (userId: string, options: { forged?: boolean; expired?: boolean } = {}) =>
  `Bearer ${options.forged ? await signToken({ userId, secret: 'a-client-token-secret' }) : options.expired ? await expiredAssertionFor(userId) : await assertionFor(userId)}`;

interface Summary {
  total: number;
  items: { system: { id: string; name: string }; count: number; updatedAt: string; url: string }[];
}
const SUMMARY = 'total items { system { id name } count updatedAt url }';
const ME = `{ me { id approvals { ${SUMMARY} } } }`;

describe('Query.me', () => {
  it('answers the signed-in user with items sorted by system and zero counts left out', async () => {
    await setCount('alice', 'security', 2);
    await setCount('alice', 'finance', 5);
    await setCount('alice', 'hr', 4);
    await setCount('alice', 'hr', 0);
    const result = await postGraphQL<{ me: { id: string; approvals: Summary } }>(subgraph.url, ME, undefined, { authorization: await bearer('alice') });
    expect(result.errors).toBeUndefined();
    expect(result.data?.me.id).toBe('alice');
    expect(result.data?.me.approvals.total).toBe(7);
    expect(result.data?.me.approvals.items.map((i) => [i.system.id, i.system.name, i.count, i.url])).toEqual([
      ['finance', 'Finance', 5, 'https://finance.example.com/approvals'],
      ['security', 'Security', 2, 'https://security.example.com/approvals'],
    ]);
    expect(result.data?.me.approvals.items[0]?.updatedAt).toMatch(/^2026-11-22T00:00:\d\d\.000Z$/);
  });

  it('is null without a token, and null with UNAUTHENTICATED for a bad or expired one', async () => {
    const anonymous = await postGraphQL<{ me: null }>(subgraph.url, ME);
    expect(anonymous.data).toEqual({ me: null });
    expect(anonymous.errors).toBeUndefined();
    for (const authorization of [await bearer('alice', { forged: true }), await bearer('alice', { expired: true }), 'Bearer junk']) {
      const result = await postGraphQL<{ me: null }>(subgraph.url, ME, undefined, { authorization });
      expect(result.data).toEqual({ me: null });
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('entities', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id approvals { total } } ... on BusinessSystem { id name url } } }`;

  it('resolves only the caller as a User, and any configured BusinessSystem', async () => {
    await setCount('bob', 'hr', 9);
    const representations = [
      { __typename: 'User', id: 'bob' },
      { __typename: 'User', id: 'alice' },
      { __typename: 'BusinessSystem', id: 'hr' },
      { __typename: 'BusinessSystem', id: 'nope' },
    ];
    const result = await postGraphQL<{ _entities: unknown[] }>(subgraph.url, ENTITIES, { r: representations }, { authorization: await bearer('alice') });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      null,
      { id: 'alice', approvals: { total: 7 } },
      { id: 'hr', name: 'HR', url: 'https://hr.example.com/approvals' },
      null,
    ]);
    const anonymous = await postGraphQL<{ _entities: unknown[] }>(subgraph.url, ENTITIES, { r: representations.slice(0, 1) });
    expect(anonymous.data?._entities).toEqual([null]);
  });
});

/** A subscription's results in order, awaited one at a time. */
function collect(client: Client, payload: { query: string; extensions?: Record<string, unknown> }) {
  const values: FormattedExecutionResult<{ approvalCountChanged: Summary }, unknown>[] = [];
  const waiters: Array<() => void> = [];
  let failure: unknown;
  const wake = () => waiters.splice(0).forEach((w) => w());
  const stop = client.subscribe<{ approvalCountChanged: Summary }>(payload, {
    next: (value) => (values.push(value), wake()),
    error: (error) => ((failure = error), wake()),
    complete: wake,
  });
  let read = 0;
  const until = async (check: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check() && Date.now() < deadline) await new Promise<void>((resolve) => (waiters.push(resolve), setTimeout(resolve, 50)));
  };
  return {
    stop,
    async next(ms = 5000): Promise<Summary> {
      await until(() => values.length > read || failure !== undefined, ms);
      if (values.length <= read) throw new Error(`no value within ${ms} ms (${failure ? JSON.stringify(failure) : 'no error'})`);
      const value = values[read++]!;
      expect(value.errors).toBeUndefined();
      return value.data!.approvalCountChanged;
    },
    async error(ms = 5000): Promise<unknown> {
      await until(() => failure !== undefined, ms);
      return failure;
    },
  };
}

describe('Subscription.approvalCountChanged over graphql-ws', () => {
  const wsUrl = () => subgraph.url.replace(/^http/, 'ws');
  const clients: Client[] = [];
  const connect = (connectionParams?: Record<string, unknown>) => {
    const client = createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0 });
    clients.push(client);
    return client;
  };
  const SUBSCRIPTION = `subscription { approvalCountChanged { ${SUMMARY} } }`;
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(async (c) => c.dispose()));
  });

  it('sends the current summary, then the new one after an event', async () => {
    await setCount('carol', 'hr', 1);
    const carol = collect(connect({ Authorization: await bearer('carol') }), { query: SUBSCRIPTION });
    expect(await carol.next()).toMatchObject({ total: 1, items: [{ system: { id: 'hr' }, count: 1 }] });
    await setCount('carol', 'finance', 4);
    expect(await carol.next()).toMatchObject({
      total: 5,
      items: [
        { system: { id: 'finance' }, count: 4 },
        { system: { id: 'hr' }, count: 1 },
      ],
    });
    await setCount('carol', 'hr', 0);
    expect(await carol.next()).toMatchObject({ total: 4, items: [{ system: { id: 'finance' } }] });
  });

  it("keeps two users' changes apart", async () => {
    const dave = collect(connect({ authorization: await bearer('dave') }), { query: SUBSCRIPTION });
    const erin = collect(connect({ authorization: await bearer('erin') }), { query: SUBSCRIPTION });
    expect(await dave.next()).toEqual({ total: 0, items: [] });
    expect(await erin.next()).toEqual({ total: 0, items: [] });
    await setCount('dave', 'security', 3);
    expect((await dave.next()).total).toBe(3);
    // Each one's next change is their own: had the other's leaked, it would have come first.
    await setCount('erin', 'hr', 6);
    expect(await erin.next()).toMatchObject({ total: 6, items: [{ system: { id: 'hr' }, count: 6 }] });
    await setCount('dave', 'finance', 1);
    expect(await dave.next()).toMatchObject({ total: 4 });
  });

  it('refuses an unauthenticated subscription without closing the socket', async () => {
    const client = connect();
    const anonymous = collect(client, { query: SUBSCRIPTION });
    expect(JSON.stringify(await anonymous.error())).toMatch(/UNAUTHENTICATED/);
    const forged = collect(client, { query: SUBSCRIPTION, extensions: { authorization: await bearer('frank', { forged: true }) } });
    expect(JSON.stringify(await forged.error())).toMatch(/UNAUTHENTICATED/);
    // Same socket, now with a per-operation identity as the gateway sends it.
    await setCount('frank', 'finance', 2);
    const frank = collect(client, { query: SUBSCRIPTION, extensions: { authorization: await bearer('frank') } });
    expect(await frank.next()).toMatchObject({ total: 2 });
    await setCount('frank', 'finance', 3);
    expect((await frank.next()).total).toBe(3);
  });

  it('lets the per-operation identity win over the connection one', async () => {
    await setCount('gina', 'security', 8);
    const client = connect({ Authorization: await bearer('henry') });
    const gina = collect(client, { query: SUBSCRIPTION, extensions: { authorization: await bearer('gina') } });
    const henry = collect(client, { query: SUBSCRIPTION });
    expect((await gina.next()).total).toBe(8);
    expect((await henry.next()).total).toBe(0);
  });

  it('reports invalid operations on the operation only', async () => {
    const client = connect({ Authorization: await bearer('ivan') });
    const broken = collect(client, { query: 'subscription { approvalCountChanged { nope } }' });
    expect(JSON.stringify(await broken.error())).toMatch(/nope/);
    const syntax = collect(client, { query: 'subscription {' });
    expect(JSON.stringify(await syntax.error())).toMatch(/Syntax Error/);
    const ivan = collect(client, { query: SUBSCRIPTION });
    expect((await ivan.next()).total).toBe(0);
  });

  it('closes promptly while clients are still subscribed', async () => {
    const feed = createInProcessChangeFeed();
    const other = await createApprovalSubgraph({ db: database.db, port: 0, systems: DEMO_SYSTEMS, identity: approvalIdentity, changeFeed: feed });
    let closed = false;
    const client = createClient({
      url: other.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { Authorization: await bearer('judy') },
    });
    client.on('closed', () => (closed = true));
    clients.push(client);
    const judy = collect(client, { query: SUBSCRIPTION });
    expect((await judy.next()).total).toBe(0);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await waitFor('the client to see its socket closed', () => closed);
    await feed.close();
  });
});
