import { describe, expect, it } from 'vitest';
import type { ApprovalEvent } from '../../subgraphs/approval/events/parseEvents.ts';
import { LogPrunedError, type ApprovalStorage } from '../../subgraphs/approval/store/approvalStorage.ts';

const event = (userId: string, seq: number): ApprovalEvent => ({ userId, system: 'hr', seq, count: seq, occurredAt: new Date(1_800_000_000_000 + seq) });

/**
 * What the approval store relies on from its storage, run against every
 * implementation: the in-memory one in unit tests, MongoDB in integration.
 * `open` gives a fresh, empty storage and a way to drop it.
 */
export function describeApprovalStorageContract(name: string, open: () => Promise<{ storage: ApprovalStorage; drop(): Promise<void> }>): void {
  const withStorage = (test: (storage: ApprovalStorage) => Promise<void>) => async () => {
    const { storage, drop } = await open();
    try {
      await test(storage);
    } finally {
      await drop();
    }
  };

  describe(`approval storage contract: ${name}`, () => {
    it(
      'appends at the first free position, densely, and reads back what was stored',
      withStorage(async ({ log }) => {
        expect(await log.read(1)).toBeNull();
        expect(await log.readAfter(0)).toEqual([]);
        expect(await log.append([event('u-1', 1), event('u-2', 2)], 1)).toBe(1);
        // A writer that thought position 1 was free moves on to the next.
        expect(await log.append([event('u-1', 3)], 1)).toBe(2);
        expect(await log.append([event('u-3', 4)], 3)).toBe(3);
        expect(await log.read(2)).toEqual({ position: 2, events: [event('u-1', 3)] });
        expect(await log.read(4)).toBeNull();
        expect(await log.readAfter(0)).toEqual([
          { position: 1, events: [event('u-1', 1), event('u-2', 2)] },
          { position: 2, events: [event('u-1', 3)] },
          { position: 3, events: [event('u-3', 4)] },
        ]);
        expect((await log.readAfter(1)).map((entry) => entry.position)).toEqual([2, 3]);
        expect(await log.readAfter(3)).toEqual([]);
      }),
    );

    it(
      'refuses reads and appends in pruned log with LogPrunedError, and keeps what lies after it',
      withStorage(async ({ log }) => {
        for (let seq = 1; seq <= 40; seq += 1) await log.append([event('u', seq)], seq);
        await log.pruneThrough(35);
        await expect(log.read(1)).rejects.toBeInstanceOf(LogPrunedError);
        await expect(log.readAfter(0)).rejects.toBeInstanceOf(LogPrunedError);
        await expect(log.append([event('u', 41)], 1)).rejects.toBeInstanceOf(LogPrunedError);
        expect(await log.read(36)).toEqual({ position: 36, events: [event('u', 36)] });
        expect((await log.readAfter(35)).map((entry) => entry.position)).toEqual([36, 37, 38, 39, 40]);
        expect(await log.append([event('u', 41)], 41)).toBe(41);
      }),
    );

    it(
      'keeps the newest two checkpoints, lets one claimant write each, and says how much log they need',
      withStorage(async ({ checkpoints }) => {
        const states = (seq: number) => [{ ...event('u-1', seq) }, { ...event('u-2', seq - 1) }];
        expect(await checkpoints.latest()).toBeNull();
        expect(await checkpoints.write({ position: 5, events: 9, states: states(5) })).toBe(0);
        expect(await checkpoints.write({ position: 5, events: 9, states: [] })).toBe(false);
        expect(await checkpoints.write({ position: 10, events: 19, states: states(10) })).toBe(5);
        expect(await checkpoints.write({ position: 15, events: 29, states: states(15) })).toBe(10);
        const latest = await checkpoints.latest();
        expect(latest).toMatchObject({ position: 15, events: 29 });
        expect([...(latest?.states ?? [])].sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(states(15));
      }),
    );
  });
}
