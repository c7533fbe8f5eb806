import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApprovalEvent } from '../../subgraphs/approval/events/parseEvents.ts';
import { createPairStates, type PairState } from '../../subgraphs/approval/store/pairStates.ts';

const at = (seq: number) => new Date(1_800_000_000_000 + seq * 1000);
const event = (userId: string, system: string, seq: number, count: number): ApprovalEvent => ({ userId, system, seq, count, occurredAt: at(seq) });

/** Few users, systems and seqs, so pairs, repeats and equal seqs are common. */
const anyEvent = fc
  .record({ userId: fc.constantFrom('u-1', 'u-2', 'u-3'), system: fc.constantFrom('hr', 'finance'), seq: fc.integer({ min: 0, max: 12 }), count: fc.nat(9) })
  .map(({ userId, system, seq, count }) => event(userId, system, seq, count));

/** Events a producer could really send: one seq of a pair always carries the same count, so any two with an equal seq are repeats. */
const consistentEvents = fc.array(anyEvent, { maxLength: 40 }).map((events) => {
  const first = new Map<string, ApprovalEvent>();
  return events.map((e) => {
    const key = `${e.userId}|${e.system}|${e.seq}`;
    if (!first.has(key)) first.set(key, e);
    return { ...first.get(key)! };
  });
});

/** The same events in any order, some delivered again, cut into batches anywhere. */
const redelivery = (events: ApprovalEvent[]) =>
  fc.record({
    order: fc.shuffledSubarray(events, { minLength: events.length }),
    repeats: fc.subarray(events),
    cuts: fc.array(fc.nat(events.length * 2), { maxLength: 6 }),
  });

function inBatches(events: readonly ApprovalEvent[], cuts: readonly number[]): ApprovalEvent[][] {
  const points = [...new Set([0, ...cuts.map((c) => Math.min(c, events.length)), events.length])].sort((a, b) => a - b);
  return points.slice(1).map((end, i) => events.slice(points[i], end));
}

function foldAll(batches: readonly (readonly ApprovalEvent[])[]): PairState[] {
  const states = createPairStates();
  for (const batch of batches) states.apply(batch);
  return sorted(states.snapshot());
}

/** The rule stated plainly: per pair, the first event folded among those with the highest seq. */
function expectedStates(folded: readonly ApprovalEvent[]): PairState[] {
  const winners = new Map<string, ApprovalEvent>();
  for (const e of folded) {
    const key = `${e.userId}|${e.system}`;
    const seen = winners.get(key);
    if (!seen || e.seq > seen.seq) winners.set(key, e);
  }
  return sorted([...winners.values()].map(({ userId, system, count, seq, occurredAt }) => ({ userId, system, count, seq, occurredAt })));
}

function sorted(states: PairState[]): PairState[] {
  return [...states].sort((a, b) => (a.userId + a.system < b.userId + b.system ? -1 : 1));
}

describe('the seq fold (pair states)', () => {
  it('ends in the same states for any order, any repeats and any split into batches', () => {
    fc.assert(
      fc.property(
        consistentEvents.chain((events) => fc.tuple(fc.constant(events), redelivery(events))),
        ([events, { order, repeats, cuts }]) => {
          const delivered = [...order, ...repeats];
          expect(foldAll(inBatches(delivered, cuts))).toEqual(foldAll([events]));
          expect(foldAll([events])).toEqual(expectedStates(events));
        },
      ),
    );
  });

  it('keeps, per pair, the first event folded among those with the highest seq, for any events at all', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 40 }), fc.array(fc.nat(80), { maxLength: 6 }), (events, cuts) => {
        expect(foldAll(inBatches(events, cuts))).toEqual(expectedStates(events));
      }),
    );
  });

  it('reports as won exactly the events that became their pair newest, and nothing on a repeat of everything', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 40 }), (events) => {
        const states = createPairStates();
        const won = states.apply(events);
        const changedPairs = new Set(won.map((e) => `${e.userId}|${e.system}`));
        expect(changedPairs.size).toBe(states.size());
        for (const e of won) expect(states.get(e.userId, e.system)?.seq).toBeGreaterThanOrEqual(e.seq);
        expect(states.apply(events)).toEqual([]);
      }),
    );
  });

  it('gives the same states from a checkpoint of any prefix plus the rest as from folding everything', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 40 }), fc.nat(40), (events, cut) => {
        const before = createPairStates();
        before.apply(events.slice(0, cut));
        const restarted = createPairStates();
        restarted.load(before.snapshot());
        restarted.apply(events.slice(cut));
        expect(sorted(restarted.snapshot())).toEqual(foldAll([events]));
      }),
    );
  });

  it('treats an equal seq as a repeat even when its count differs: the count stored first stays', () => {
    const states = createPairStates();
    expect(states.apply([event('u-1', 'hr', 5, 3)])).toHaveLength(1);
    expect(states.apply([event('u-1', 'hr', 5, 7), event('u-1', 'hr', 4, 9)])).toEqual([]);
    expect(states.get('u-1', 'hr')).toMatchObject({ seq: 5, count: 3 });
    // Within one batch as well: the first of the equal ones wins.
    const fresh = createPairStates();
    expect(fresh.apply([event('u-1', 'hr', 5, 7), event('u-1', 'hr', 5, 3)])).toEqual([event('u-1', 'hr', 5, 7)]);
    expect(fresh.get('u-1', 'hr')?.count).toBe(7);
  });

  it('lets a count fall back to zero when the newer seq says so', () => {
    const states = createPairStates();
    states.apply([event('u-1', 'hr', 1, 4), event('u-1', 'hr', 2, 0)]);
    expect(states.get('u-1', 'hr')).toMatchObject({ seq: 2, count: 0 });
  });
});
