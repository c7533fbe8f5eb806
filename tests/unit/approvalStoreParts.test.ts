import { describe, expect, it } from 'vitest';
import { createCheckpointSchedule } from '../../subgraphs/approval/store/checkpointSchedule.ts';
import { createCoalescedRun } from '../../lib/async/coalescedRun.ts';
import { createGroupCommit } from '../../subgraphs/approval/store/groupCommit.ts';
import { createOwnAppends } from '../../subgraphs/approval/store/ownAppends.ts';
import { waitFor } from '../support/waitFor.ts';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise and the hands that settle it. */
function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

/** Lets the handlers of promises settled so far run (all of them: microtasks drain before setImmediate). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('commits the first batch at once and the batches that arrive meanwhile together, within the item limit', async () => {
    const commits: number[][] = [];
    const pending: Deferred<string>[] = [];
    const group = createGroupCommit<number, string>({
      maxItems: 4,
      commit(items) {
        commits.push([...items]);
        const done = deferred<string>();
        pending.push(done);
        return done.promise;
      },
    });
    const first = group.submit([1]);
    const rest = [group.submit([2, 3]), group.submit([4, 5]), group.submit([6])];
    expect(commits).toEqual([[1]]);
    pending[0]!.resolve('a');
    expect(await first).toBe('a');
    await waitFor('the second commit', () => commits.length === 2);
    // 2 + 2 items fit in 4; the batch that would overflow waits for the next.
    expect(commits[1]).toEqual([2, 3, 4, 5]);
    pending[1]!.resolve('b');
    await waitFor('the third commit', () => commits.length === 3);
    pending[2]!.resolve('c');
    expect(await Promise.all(rest)).toEqual(['b', 'b', 'c']);
  });

  it('commits a batch larger than the limit alone, and rejects only the batches of a failed commit', async () => {
    let calls = 0;
    const group = createGroupCommit<number, number>({
      maxItems: 2,
      async commit(items) {
        calls += 1;
        if (items.includes(13)) throw new Error('unlucky');
        return items.length;
      },
    });
    const results = await Promise.allSettled([group.submit([1, 2, 3]), group.submit([13]), group.submit([4])]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 3 },
      { status: 'rejected', reason: new Error('unlucky') },
      { status: 'rejected', reason: new Error('unlucky') },
    ]);
    expect(await group.submit([5])).toBe(1);
    expect(calls).toBe(3);
  });
});

describe('coalesced run', () => {
  it('runs once at a time; calls during a run share one next run that starts after them', async () => {
    const runs: Deferred<void>[] = [];
    const call = createCoalescedRun(() => {
      const run = deferred();
      runs.push(run);
      return run.promise;
    });
    const first = call();
    const during = [call(), call(), call()];
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await first;
    await waitFor('the next run', () => runs.length === 2);
    runs[1]!.resolve();
    await Promise.all(during);
    expect(runs).toHaveLength(2);
  });

  it('rejects the callers of a failed run only; the next run goes ahead', async () => {
    const runs: Deferred<void>[] = [];
    const call = createCoalescedRun(() => {
      const run = deferred();
      runs.push(run);
      return run.promise;
    });
    const failing = call();
    const next = call();
    runs[0]!.reject(new Error('read failed'));
    await expect(failing).rejects.toThrow('read failed');
    await waitFor('the next run', () => runs.length === 2);
    runs[1]!.resolve();
    await expect(next).resolves.toBeUndefined();
  });
});

describe('checkpoint schedule', () => {
  it('writes once enough events (or pairs) were folded, one write at a time, and counts on after an error', async () => {
    const writes: [number, number][] = [];
    const errors: unknown[] = [];
    let finish = deferred();
    const schedule = createCheckpointSchedule({
      every: 10,
      write(position, events) {
        writes.push([position, events]);
        return finish.promise;
      },
      onError: (error) => errors.push(error),
    });
    schedule.folded(6, 1, 3);
    schedule.folded(3, 2, 3);
    expect(writes).toEqual([]);
    schedule.folded(1, 3, 3);
    expect(writes).toEqual([[3, 10]]);
    // Due again while the first is still being written: skipped, a later one will do.
    schedule.folded(10, 4, 3);
    expect(writes).toHaveLength(1);
    finish.reject(new Error('claim failed'));
    await settled();
    expect(errors).toEqual([new Error('claim failed')]);
    finish = deferred();
    schedule.folded(10, 5, 3);
    expect(writes).toEqual([
      [3, 10],
      [5, 30],
    ]);
    finish.resolve();
    await settled();
    // More pairs than `every`: a checkpoint's cost stays in proportion to the events between them.
    schedule.folded(15, 6, 20);
    expect(writes).toHaveLength(2);
    schedule.folded(5, 7, 20);
    expect(writes.at(-1)).toEqual([7, 50]);
  });

  it('counts from a loaded checkpoint', () => {
    const writes: number[] = [];
    const schedule = createCheckpointSchedule({ every: 10, write: async (position) => void writes.push(position) });
    schedule.loaded(1000);
    schedule.folded(9, 101, 1);
    expect(writes).toEqual([]);
    schedule.folded(1, 102, 1);
    expect(writes).toEqual([102]);
  });
});

describe('own appends', () => {
  const entry = (position: number, events = 2) => ({
    position,
    events: Array.from({ length: events }, (_, i) => ({ userId: `u-${i}`, system: 'hr', count: 1, seq: 1, occurredAt: new Date(0) })),
  });

  it('keeps the winners of an entry folded before its appender learnt its position', () => {
    const own = createOwnAppends();
    expect(own.wants(1)).toBe(false);
    own.begin();
    expect(own.wants(1)).toBe(true);
    own.folded(1, new Set([1]));
    own.stored(entry(1), true);
    expect(own.entryAt(1)).toBeUndefined();
    expect(own.finish(1)).toEqual(new Set([1]));
    expect(own.wants(2)).toBe(false);
  });

  it('hands its stored entry to the fold, and counts every event when a checkpoint passed over it', () => {
    const own = createOwnAppends();
    own.begin();
    own.stored(entry(3), false);
    expect(own.entryAt(3)).toEqual(entry(3));
    own.passedOver(5);
    expect(own.entryAt(3)).toBeUndefined();
    expect(own.finish(3)).toEqual(new Set([0, 1]));
    own.begin();
    // A checkpoint loaded before the appender knew its position: nobody knows what won.
    expect(own.finish(9)).toBeNull();
  });
});
