import { describe, expect, it } from 'vitest';
import type { ApprovalEvent } from '../../subgraphs/approval/events/parseEvents.ts';
import type { ApprovalLog, ApprovalStorage } from '../../subgraphs/approval/store/approvalStorage.ts';
import { createApprovalStoreOver, type ApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { createMemoryApprovalStorage } from '../../subgraphs/approval/store/memoryApprovalStorage.ts';
import { waitFor } from '../support/waitFor.ts';

const event = (userId: string, seq: number, count = seq, system = 'hr'): ApprovalEvent => ({
  userId,
  system,
  seq,
  count,
  occurredAt: new Date(1_800_000_000_000 + seq * 1000),
});

/** A promise and the hand that settles it. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Appends go through `around`, which decides when (and whether) the real append happens and returns. */
function withAppend(storage: ApprovalStorage, around: (append: ApprovalLog['append'], events: readonly ApprovalEvent[], from: number) => Promise<number>) {
  const log: ApprovalLog = { ...storage.log, append: (events, from) => around(storage.log.append, events, from) };
  return { ...storage, log };
}

const counts = async (store: ApprovalStore, userId: string, systems = ['hr']) =>
  (await store.readStates(userId, systems)).map((s) => ({ system: s.system, seq: s.seq, count: s.count }));

describe('approval store (in-memory storage)', () => {
  it('acknowledges what became newest, ignores older and equal seqs, and reads its own writes', async () => {
    const store = createApprovalStoreOver(createMemoryApprovalStorage());
    expect(await store.applyEvents([event('u-1', 5), event('u-2', 1)])).toEqual({ applied: 2, ignoredAsOld: 0, changedUserIds: ['u-1', 'u-2'] });
    expect(await store.applyEvents([event('u-1', 4, 40), event('u-1', 5, 50)])).toEqual({ applied: 0, ignoredAsOld: 2, changedUserIds: [] });
    // Within a batch the higher seq wins whatever the order, and the other counts as old.
    expect(await store.applyEvents([event('u-1', 9, 0), event('u-1', 7)])).toEqual({ applied: 1, ignoredAsOld: 1, changedUserIds: ['u-1'] });
    expect(await counts(store, 'u-1', ['hr', 'finance'])).toEqual([{ system: 'hr', seq: 9, count: 0 }]);
    expect(await store.applyEvents([])).toEqual({ applied: 0, ignoredAsOld: 0, changedUserIds: [] });
  });

  it('stores batches that arrive during an append together in the next entry (group commit)', async () => {
    const memory = createMemoryApprovalStorage();
    const held = gate();
    let appends = 0;
    const store = createApprovalStoreOver(
      withAppend(memory, async (append, events, from) => {
        appends += 1;
        if (appends === 1) await held.opened;
        return append(events, from);
      }),
    );
    const first = store.applyEvents([event('u-0', 1)]);
    const later = Array.from({ length: 10 }, (_, i) => store.applyEvents([event(`u-${i + 1}`, 2), event(`u-${i + 1}`, 1)]));
    await waitFor('the first append to start', () => appends === 1);
    held.open();
    expect(await first).toMatchObject({ applied: 1 });
    for (const result of await Promise.all(later)) expect(result).toEqual({ applied: 1, ignoredAsOld: 1, changedUserIds: [expect.stringMatching(/^u-/)] });
    const entries = await memory.log.readAfter(0);
    expect(entries.map((e) => e.events.length)).toEqual([1, 10]);
    expect(appends).toBe(2);
  });

  it('lets every replica read what any replica acknowledged, and keeps the seq rule between them', async () => {
    const shared = createMemoryApprovalStorage();
    const [a, b] = [createApprovalStoreOver(shared), createApprovalStoreOver(shared)];
    await a.applyEvents([event('u-1', 3)]);
    expect(await counts(b, 'u-1')).toEqual([{ system: 'hr', seq: 3, count: 3 }]);
    expect(await b.applyEvents([event('u-1', 2)])).toMatchObject({ applied: 0, ignoredAsOld: 1 });
    await b.applyEvents([event('u-1', 4, 0)]);
    expect(await counts(a, 'u-1')).toEqual([{ system: 'hr', seq: 4, count: 0 }]);
    // A replica started now folds the whole log to the same states.
    expect(await counts(createApprovalStoreOver(shared), 'u-1')).toEqual([{ system: 'hr', seq: 4, count: 0 }]);
  });

  it('reports what an append changed even when a read folded its entry before the append returned', async () => {
    const memory = createMemoryApprovalStorage();
    let held = Promise.resolve();
    let stored = false;
    const store = createApprovalStoreOver(
      withAppend(memory, async (append, events, from) => {
        const position = await append(events, from);
        stored = true;
        // Durable, but the appender has not learnt its position yet (as during MongoDB's floor check).
        await held;
        return position;
      }),
    );
    await store.applyEvents([event('u-1', 5)]);
    const release = gate();
    [held, stored] = [release.opened, false];
    const applying = store.applyEvents([event('u-1', 3), event('u-2', 1, 7)]);
    await waitFor('the entry to be stored', () => stored);
    expect(await counts(store, 'u-2')).toEqual([{ system: 'hr', seq: 1, count: 7 }]);
    release.open();
    expect(await applying).toEqual({ applied: 1, ignoredAsOld: 1, changedUserIds: ['u-2'] });
  });

  it('rejects every batch of a failed append, stores nothing of them, and goes on with the next batches', async () => {
    const memory = createMemoryApprovalStorage();
    const held = gate();
    let appends = 0;
    const store = createApprovalStoreOver(
      withAppend(memory, async (append, events, from) => {
        appends += 1;
        if (appends === 1) await held.opened;
        if (appends === 2) throw new Error('disk full');
        return append(events, from);
      }),
    );
    const first = store.applyEvents([event('u-1', 1)]);
    await waitFor('the first append to start', () => appends === 1);
    const failing = [store.applyEvents([event('u-2', 1)]), store.applyEvents([event('u-3', 1)])];
    held.open();
    await first;
    for (const result of await Promise.allSettled(failing)) expect(result).toMatchObject({ status: 'rejected', reason: new Error('disk full') });
    expect(await counts(store, 'u-2')).toEqual([]);
    // The producer retries (its batch was never acknowledged): stored now, next to later batches.
    expect(await store.applyEvents([event('u-2', 1)])).toMatchObject({ applied: 1 });
    expect(await store.applyEvents([event('u-4', 1)])).toMatchObject({ applied: 1 });
    expect((await memory.log.readAfter(0)).map((e) => e.position)).toEqual([1, 2, 3]);
    expect(await counts(createApprovalStoreOver(memory), 'u-2')).toEqual([{ system: 'hr', seq: 1, count: 1 }]);
  });

  it('tries loading the log again after a start that failed to read it', async () => {
    const memory = createMemoryApprovalStorage();
    await createApprovalStoreOver(memory).applyEvents([event('u-1', 2)]);
    let failures = 1;
    const flaky: ApprovalStorage = {
      ...memory,
      log: {
        ...memory.log,
        readAfter: async (position) => {
          if (failures-- > 0) throw new Error('connection reset');
          return memory.log.readAfter(position);
        },
      },
    };
    const store = createApprovalStoreOver(flaky);
    await expect(store.readStates('u-1', ['hr'])).rejects.toThrow('connection reset');
    expect(await counts(store, 'u-1')).toEqual([{ system: 'hr', seq: 2, count: 2 }]);
  });

  it('starts from the newest checkpoint, folding only the log after it, with the seq rule intact', async () => {
    const memory = createMemoryApprovalStorage();
    const store = createApprovalStoreOver(memory, { checkpointEvents: 3 });
    for (let seq = 1; seq <= 10; seq += 1) await store.applyEvents([event(`u-${seq % 3}`, seq)]);
    const checkpoint = await waitFor('a checkpoint', async () => {
      const latest = await memory.checkpoints.latest();
      return latest && latest.position >= 9 ? latest : null;
    });
    const readFrom: number[] = [];
    const restarted = createApprovalStoreOver({
      ...memory,
      log: {
        ...memory.log,
        readAfter: (position) => {
          readFrom.push(position);
          return memory.log.readAfter(position);
        },
      },
    });
    expect(await counts(restarted, 'u-1')).toEqual([{ system: 'hr', seq: 10, count: 10 }]);
    expect(readFrom).toEqual([checkpoint.position]);
    expect(await Promise.all(['u-0', 'u-2'].map((u) => counts(restarted, u)))).toEqual([
      [{ system: 'hr', seq: 9, count: 9 }],
      [{ system: 'hr', seq: 8, count: 8 }],
    ]);
    expect(await restarted.applyEvents([event('u-0', 3, 99), event('u-2', 8, 99)])).toMatchObject({ applied: 0, ignoredAsOld: 2 });
  });

  it('prunes the log behind the older kept checkpoint; a replica left behind reads and writes through a checkpoint', async () => {
    const memory = createMemoryApprovalStorage();
    const writer = createApprovalStoreOver(memory, { checkpointEvents: 2 });
    const [staleReader, staleWriter] = [createApprovalStoreOver(memory), createApprovalStoreOver(memory)];
    await staleReader.applyEvents([event('early-reader', 1)]);
    await staleWriter.applyEvents([event('early-writer', 1)]);
    for (let seq = 1; seq <= 12; seq += 1) await writer.applyEvents([event(`u-${seq % 2}`, seq)]);
    await waitFor('the log behind a checkpoint to be pruned', async () => {
      try {
        await memory.log.read(1);
        return false;
      } catch {
        return true;
      }
    });
    expect(await counts(staleReader, 'u-0')).toEqual([{ system: 'hr', seq: 12, count: 12 }]);
    expect(await staleWriter.applyEvents([event('u-1', 13)])).toMatchObject({ applied: 1 });
    expect(await staleWriter.applyEvents([event('u-1', 11)])).toMatchObject({ ignoredAsOld: 1 });
    for (const store of [writer, staleReader, createApprovalStoreOver(memory)]) {
      expect(await counts(store, 'u-1')).toEqual([{ system: 'hr', seq: 13, count: 13 }]);
      expect(await counts(store, 'early-writer')).toEqual([{ system: 'hr', seq: 1, count: 1 }]);
    }
  });

  it('reports a failed checkpoint write and loses nothing: a start then folds the whole log', async () => {
    const memory = createMemoryApprovalStorage();
    const errors: unknown[] = [];
    const broken: ApprovalStorage = {
      ...memory,
      checkpoints: {
        ...memory.checkpoints,
        write: () => Promise.reject(new Error('checkpoint collection is read-only')),
      },
    };
    const store = createApprovalStoreOver(broken, { checkpointEvents: 2, onCheckpointError: (error) => errors.push(error) });
    for (let seq = 1; seq <= 5; seq += 1) await store.applyEvents([event('u-1', seq)]);
    await waitFor('the checkpoint error to be reported', () => errors.length > 0);
    expect(errors[0]).toEqual(new Error('checkpoint collection is read-only'));
    expect(await memory.checkpoints.latest()).toBeNull();
    expect(await counts(createApprovalStoreOver(memory), 'u-1')).toEqual([{ system: 'hr', seq: 5, count: 5 }]);
  });
});
