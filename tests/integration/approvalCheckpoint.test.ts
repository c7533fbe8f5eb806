import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from 'mongodb';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import type { ApprovalEvent } from '../../subgraphs/approval/events/parseEvents.ts';
import { CHECKPOINT_COLLECTION_PREFIX, createCheckpoints } from '../../subgraphs/approval/store/checkpoints.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

let database: MongoConnection;
beforeAll(async () => {
  database = await createTestDatabase('approval_checkpoint');
});
afterAll(async () => {
  await database?.close();
});

const event = (userId: string, seq: number, count = seq): ApprovalEvent => ({ system: 'hr', userId, count, seq, occurredAt: new Date(1_800_000_000_000 + seq) });

async function until<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const checkpointCollections = async (db: Db) =>
  (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((name) => name.startsWith(`${CHECKPOINT_COLLECTION_PREFIX}.`));

describe('approval checkpoints', () => {
  it('let a start skip the log before them, keep the seq rule across them, and only the newest two are kept', async () => {
    const db = database.db.client.db(`${database.db.databaseName}_a`);
    try {
      const store = createApprovalStore(db, { checkpointEvents: 5 });
      // One entry per event; five users, so a checkpoint falls every five entries.
      for (let seq = 1; seq <= 40; seq += 1) await store.applyEvents([event(`u-${seq % 5}`, seq, seq === 37 ? 0 : seq)]);
      const checkpoint = await until(async () => {
        const latest = await createCheckpoints(db).latest();
        return latest && latest.position > 16 ? latest : null;
      }, 'a checkpoint past the first log collection');
      // Without the first log collection only the checkpoint can tell a start what happened there.
      await db.collection('approvalLog.0').drop();
      const restarted = createApprovalStore(db);
      const states = await Promise.all(Array.from({ length: 5 }, async (_, u) => (await restarted.readStates(`u-${u}`, ['hr']))[0]));
      expect(states.map((s) => s?.seq)).toEqual([40, 36, 37, 38, 39]);
      expect(states[2]?.count).toBe(0);
      // Older than what the checkpoint or the log after it holds: ignored, also after a start.
      expect(await restarted.applyEvents([event('u-2', 12, 99), event('u-1', 36, 99)])).toMatchObject({ applied: 0, ignoredAsOld: 2 });
      expect(checkpoint.events).toBe(checkpoint.position);
      expect((await checkpointCollections(db)).length).toBeLessThanOrEqual(3);
    } finally {
      await db.dropDatabase();
    }
  });

  it('ignores a checkpoint whose chunks are missing, and is written by one claimant only', async () => {
    const db = database.db.client.db(`${database.db.databaseName}_b`);
    try {
      const checkpoints = createCheckpoints(db);
      const states = [{ userId: 'u', system: 'hr', count: 2, seq: 2, occurredAt: new Date(1_800_000_000_000) }];
      expect(await checkpoints.write({ position: 2, events: 2, states })).toBe(true);
      expect(await checkpoints.write({ position: 2, events: 2, states: [] })).toBe(false);
      // A manifest announcing chunks that are not there (a pruned or broken write) is passed over.
      await db.collection<{ _id: string; events: number; chunks: number; storedAt: Date }>('approvalCheckpoints').insertOne({ _id: '000000000009', events: 9, chunks: 3, storedAt: new Date() });
      expect(await checkpoints.latest()).toEqual({ position: 2, events: 2, states });
    } finally {
      await db.dropDatabase();
    }
  });
});
