import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import type { ApprovalEvent } from '../../subgraphs/approval/events/parseEvents.ts';
import { createApprovalLog, logCollections } from '../../subgraphs/approval/store/approvalLog.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

let database: MongoConnection;
beforeAll(async () => {
  database = await createTestDatabase('approval_log');
});
afterAll(async () => {
  await database?.close();
});

const event = (userId: string, seq: number, count = seq): ApprovalEvent => ({
  system: 'hr',
  userId,
  count,
  seq,
  occurredAt: new Date(1_800_000_000_000 + seq),
});

describe('the approval log', () => {
  it('stores batches that arrive together in one write (group commit), each acknowledged with its own outcome', async () => {
    const store = createApprovalStore(database.db);
    const results = await Promise.all(Array.from({ length: 50 }, (_, b) => store.applyEvents(Array.from({ length: 10 }, (_, i) => event(`g-${b}-${i}`, 1)))));
    for (const result of results) expect(result).toEqual({ applied: 10, ignoredAsOld: 0, changedUserIds: expect.any(Array) });
    const entries = (await createApprovalLog(database.db).readAfter(0)).length;
    expect(entries).toBeGreaterThan(0);
    expect(entries).toBeLessThan(50);
    expect(await store.applyEvents([event('g-0-0', 1, 99)])).toEqual({ applied: 0, ignoredAsOld: 1, changedUserIds: [] });
  });

  it('gives writers on separate replicas one dense order, and every replica reads every write acknowledged before its read', async () => {
    const [a, b] = [createApprovalStore(database.db), createApprovalStore(database.db)];
    const writes = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).applyEvents([event('shared', i + 1)]));
    await Promise.all(writes);
    // One at a time too, so each is an entry of its own and the log outgrows its first collection.
    for (let i = 0; i < 20; i += 1) await (i % 2 ? a : b).applyEvents([event(`single-${i}`, 1)]);
    const positions = (await createApprovalLog(database.db).readAfter(0)).map((entry) => entry.position);
    expect(positions).toEqual(positions.map((_, i) => i + 1));
    // Past 16 entries the log continues in the next small collection.
    expect(positions.length).toBeGreaterThan(16);
    expect((await logCollections(database.db)).sort()).toEqual(expect.arrayContaining(['approvalLog.0', 'approvalLog.1']));
    for (const store of [a, b, createApprovalStore(database.db)]) {
      expect((await store.readStates('shared', ['hr']))[0]).toMatchObject({ seq: 40, count: 40 });
    }
    // Written through b, read at once through a: no waiting for a change feed.
    await b.applyEvents([event('shared', 41)]);
    expect((await a.readStates('shared', ['hr']))[0]).toMatchObject({ seq: 41 });
  });

  it('still reads entries written as subdocuments, before events were packed into one string', async () => {
    const db = database.db.client.db(`${database.db.databaseName}_legacy`);
    try {
      await db
        .collection<{ _id: string; e: object[]; storedAt: Date }>('approvalLog.0')
        .insertOne({ _id: '000000000001', e: [{ u: 'old', s: 'hr', c: 4, q: 7, t: 1_800_000_000_000 }], storedAt: new Date() });
      const store = createApprovalStore(db);
      expect((await store.readStates('old', ['hr']))[0]).toMatchObject({ count: 4, seq: 7 });
      // The next write lands after it, packed.
      expect(await store.applyEvents([event('old', 8)])).toMatchObject({ applied: 1 });
      expect((await createApprovalLog(db).readAfter(0)).map((entry) => entry.position)).toEqual([1, 2]);
    } finally {
      await db.dropDatabase();
    }
  });
});
