import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import { eventsUrlOf, postEvents, type OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import { createApprovalLog } from '../../subgraphs/approval/store/approvalLog.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { eventScenario, random, shuffledDeliveries, type EventScenario } from '../support/eventStreams.ts';
import { expectNewestStored } from '../support/expectNewestStored.ts';
import { approvalIdentity, assertionFor } from '../support/gatewayIdentity.ts';
import { createTestDatabase, testMongoUri } from '../support/testDatabase.ts';

process.env.LOG_LEVEL ??= 'silent';
const USERS = Array.from({ length: 8 }, (_, i) => `user-${i}`);
const SYSTEMS = DEMO_SYSTEMS.map((s) => s.id);

/** Each system numbers its own events; some pairs end at 0 to test removal. */
function scenario(rand: () => number, total: number): EventScenario {
  return eventScenario(rand, { total, users: USERS, systems: SYSTEMS, count: (r) => (r() < 0.2 ? 0 : Math.floor(r() * 40)) });
}

const deliveries = (rand: () => number, events: readonly OutgoingEvent[]) => shuffledDeliveries(rand, events, 150);

/** Sends batches with a few requests in flight, as several producers would. */
async function sendAll(subgraph: ApprovalSubgraph, batches: readonly OutgoingEvent[][], inFlight = 4): Promise<void> {
  const url = eventsUrlOf(subgraph.url);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const result = await postEvents(url, batch, DEMO_SYSTEMS.find((s) => s.id === batch[0]!.system)!.secret);
        expect(result.status, JSON.stringify(result.body)).toBe(202);
      }
    }),
  );
}

const ME = /* GraphQL */ `
  {
    me {
      id
      approvals {
        total
        items {
          system {
            id
          }
          count
          updatedAt
        }
      }
    }
  }
`;

async function expectMe(subgraph: ApprovalSubgraph, newest: Map<string, OutgoingEvent>): Promise<void> {
  for (const userId of USERS) {
    const token = await assertionFor(userId);
    const result = await postGraphQL<{ me: { approvals: { total: number; items: { system: { id: string }; count: number; updatedAt: string }[] } } }>(
      subgraph.url,
      ME,
      undefined,
      { authorization: `Bearer ${token}` },
    );
    const items = [...SYSTEMS].sort().flatMap((system) => {
      const e = newest.get(`${userId}|${system}`);
      return e && e.count > 0 ? [{ system: { id: system }, count: e.count, updatedAt: e.occurredAt }] : [];
    });
    expect(result.data?.me.approvals, userId).toEqual({ total: items.reduce((sum, i) => sum + i.count, 0), items });
  }
}

describe('the seq rule over reordered, repeated batches', () => {
  let database: MongoConnection;
  let subgraph: ApprovalSubgraph;

  beforeAll(async () => {
    database = await createTestDatabase('approval_seq');
    subgraph = await createApprovalSubgraph({
      db: database.db,
      port: 0,
      systems: DEMO_SYSTEMS,
      identity: approvalIdentity,
      changeFeed: createInProcessChangeFeed(),
    });
  });
  afterAll(async () => {
    await subgraph?.close();
    await database?.close();
  });

  it('stores the newest seq per pair and hides zero counts', async () => {
    const rand = random(20261122);
    const { events, newest } = scenario(rand, 3000);
    expect([...newest.values()].some((e) => e.count === 0)).toBe(true);
    await sendAll(subgraph, deliveries(rand, events));
    await expectNewestStored(database.db, newest, USERS, SYSTEMS);
    await expectMe(subgraph, newest);
  });

  it('rebuilds the same newest counts from the log in a replica started afresh', async () => {
    const { newest } = scenario(random(20261122), 3000);
    // expectNewestStored reads through a new store, which folds the whole log.
    await expectNewestStored(database.db, newest, USERS, SYSTEMS);
    expect((await createApprovalLog(database.db).readAfter(0)).length).toBeGreaterThan(0);
  });
});

describe('two replicas on one database fed the same events at once', () => {
  let database: MongoConnection;
  let replicas: ApprovalSubgraph[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('approval_replicas');
    const start = () =>
      createApprovalSubgraph({ db: database.db, port: 0, systems: DEMO_SYSTEMS, identity: approvalIdentity, changeFeed: createInProcessChangeFeed() });
    replicas = [await start(), await start()];
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await database?.close();
  });

  it('ends with the same newest counts', async () => {
    const rand = random(4242);
    const { events, newest } = scenario(rand, 2000);
    // Each replica gets every event, in its own order and batching.
    await Promise.all(replicas.map((replica) => sendAll(replica, deliveries(rand, events), 3)));
    await expectNewestStored(database.db, newest, USERS, SYSTEMS);
    for (const replica of replicas) await expectMe(replica, newest);
  });

  it('keeps the newest count when many writers race on one pair', async () => {
    const url = (i: number) => eventsUrlOf(replicas[i % 2]!.url);
    const seqs = Array.from({ length: 200 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    await Promise.all(seqs.map((seq, i) => postEvents(url(i), event(seq), 'dev-secret-hr').then((r) => expect(r.status).toBe(202))));
    const [state] = await createApprovalStore(database.db).readStates('racer', ['hr']);
    expect(state).toMatchObject({ seq: 200, count: 200 });

    function event(seq: number): OutgoingEvent {
      return { system: 'hr', userId: 'racer', count: seq, seq, occurredAt: '2026-11-22T06:00:00Z' };
    }
  });

  it('keeps the newest count when writers on separate connections race on the same pairs', async () => {
    // Several clients, as several replicas would have; FerretDB loses updates here
    // with a conditional upsert, which is why the store uses a version chain.
    const clients = await Promise.all([1, 2, 3, 4].map(() => new MongoClient(testMongoUri(), { maxPoolSize: 20 }).connect()));
    try {
      const stores = clients.map((client) => createApprovalStore(client.db(database.db.databaseName)));
      const rand = random(7);
      const newest = new Map<string, { seq: number; count: number }>();
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 1500; i++) {
        const userId = `contender-${i % 5}`;
        const seq = Math.floor(rand() * 1_000_000);
        const count = Math.floor(rand() * 100);
        const best = newest.get(userId);
        if (!best || seq > best.seq) newest.set(userId, { seq, count });
        writes.push(stores[i % stores.length]!.applyEvents([{ system: 'hr', userId, count, seq, occurredAt: new Date() }]));
      }
      await Promise.all(writes);
      for (const [userId, expected] of newest) {
        const [state] = await stores[0]!.readStates(userId, ['hr']);
        expect({ seq: state?.seq, count: state?.count }, userId).toEqual(expected);
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
