import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from 'mongodb';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import type { ApprovalEvent } from '../../subgraphs/approval/events/parseEvents.ts';
import { CHECKPOINT_COLLECTION_PREFIX, createCheckpoints } from '../../subgraphs/approval/store/checkpoints.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { logCollections } from '../../subgraphs/approval/store/approvalLog.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

let database: MongoConnection;
beforeAll(async () => {
  database = await createTestDatabase('approval_checkpoint');
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

const checkpointCollections = async (db: Db) =>
  (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((name) => name.startsWith(`${CHECKPOINT_COLLECTION_PREFIX}.`));

describe('approval checkpoints', () => {
  it('let a start skip the log before them, keep the seq rule across them, and only the newest two are kept', async () => {
    const db = database.db.client.db(`${database.db.databaseName}_a`);
    try {
      const store = createApprovalStore(db, { checkpointEvents: 5 });
      // One entry per event; five users, so a checkpoint falls every five entries.
      for (let seq = 1; seq <= 40; seq += 1) await store.applyEvents([event(`u-${seq % 5}`, seq, seq === 37 ? 0 : seq)]);
      const checkpoint = await waitFor('a checkpoint past the first log collection', async () => {
        const latest = await createCheckpoints(db).latest();
        return latest && latest.position > 16 ? latest : null;
      });
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
      // The first checkpoint: none older is kept, so no log may go yet.
      expect(await checkpoints.write({ position: 2, events: 2, states })).toBe(0);
      expect(await checkpoints.write({ position: 2, events: 2, states: [] })).toBe(false);
      // A manifest announcing chunks that are not there (a pruned or broken write) is passed over.
      await db
        .collection<{ _id: string; events: number; chunks: number; storedAt: Date }>('approvalCheckpoints')
        .insertOne({ _id: '000000000009', events: 9, chunks: 3, storedAt: new Date() });
      expect(await checkpoints.latest()).toEqual({ position: 2, events: 2, states });
    } finally {
      await db.dropDatabase();
    }
  });

  it('prune the log behind the older kept checkpoint; replicas left behind it read and write through a checkpoint', async () => {
    const db = database.db.client.db(`${database.db.databaseName}_c`);
    try {
      const writer = createApprovalStore(db, { checkpointEvents: 5 });
      const [staleReader, staleWriter] = [createApprovalStore(db), createApprovalStore(db)];
      await staleReader.applyEvents([event('early-reader', 1)]);
      await staleWriter.applyEvents([event('early-writer', 1)]);
      // One entry per event, five users: a checkpoint every five entries, each pruning behind the one before it.
      for (let seq = 3; seq <= 200; seq += 1) await writer.applyEvents([event(`u-${seq % 5}`, seq)]);
      const parts = await waitFor('the log before the kept checkpoints to be dropped', async () => {
        const indexes = (await logCollections(db)).map((name) => Number(name.split('.')[1]));
        return Math.min(...indexes) >= 10 ? indexes : null;
      });
      // 200 entries filled 13 collections of 16; what is left is what follows the older kept checkpoint.
      expect(parts.length).toBeLessThanOrEqual(3);

      // The stale replica's next position is in dropped log: it loads the checkpoint, then reads on.
      const expected = [200, 196, 197, 198, 199];
      const seqs = async (store: typeof writer) => Promise.all(expected.map(async (_, u) => (await store.readStates(`u-${u}`, ['hr']))[0]?.seq));
      expect(await seqs(staleReader)).toEqual(expected);
      expect((await staleReader.readStates('early-writer', ['hr']))[0]?.seq).toBe(1);

      // A write from the other stale replica re-creates a dropped collection, sees the floor, takes it back and lands at the end.
      expect(await staleWriter.applyEvents([event('late', 1), event('u-0', 150, 99)])).toMatchObject({ applied: 1, ignoredAsOld: 1 });
      expect((await logCollections(db)).map((name) => Number(name.split('.')[1])).every((index) => index >= 10)).toBe(true);
      for (const store of [writer, staleReader, createApprovalStore(db)]) {
        expect((await store.readStates('late', ['hr']))[0]).toMatchObject({ seq: 1, count: 1 });
        expect(await seqs(store)).toEqual(expected);
      }
    } finally {
      await db.dropDatabase();
    }
  });
});
