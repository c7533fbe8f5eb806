import { describe, expect, it } from 'vitest';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { summaryStream } from '../../subgraphs/approval/subscriptions.ts';
import type { ApprovalSummary } from '../../subgraphs/approval/summary.ts';
import { waitFor } from '../support/waitFor.ts';

const hr = { id: 'hr', name: 'HR', url: 'https://hr.example.com', secret: 's' };

function summaryOf(count: number): ApprovalSummary {
  return count === 0 ? { total: 0, items: [] } : { total: count, items: [{ system: hr, count, updatedAt: new Date(count * 1000), url: hr.url }] };
}

/** A fake store read whose answers the test releases one by one. */
function controlledReads() {
  let current = 0;
  const pending: Array<() => void> = [];
  return {
    set: (count: number) => (current = count),
    calls: 0,
    read(this: { calls: number }) {
      this.calls += 1;
      // The answer is what the data was when the read started, as a database read would be.
      const snapshot = summaryOf(current);
      return new Promise<ApprovalSummary>((resolve) => pending.push(() => resolve(snapshot)));
    },
    release: () => pending.shift()?.(),
    get waiting() {
      return pending.length;
    },
  };
}

/** One turn of the event loop: every promise callback already due has run. Not a wait for time. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('the in-process change feed', () => {
  it('notifies only the named users, once per publish, until unsubscribed', async () => {
    const feed = createInProcessChangeFeed();
    const heard: string[] = [];
    const stopA = feed.subscribe('a', () => heard.push('a'));
    feed.subscribe('b', () => heard.push('b'));
    feed.subscribe('error', () => heard.push('error'));
    await feed.publish(['a', 'a', 'c', 'error']);
    stopA();
    await feed.publish(['a', 'b']);
    expect(heard).toEqual(['a', 'error', 'b']);
  });

  it('keeps notifying when a listener throws', async () => {
    const errors: unknown[] = [];
    const feed = createInProcessChangeFeed({ onListenerError: (e) => errors.push(e) });
    let heard = 0;
    feed.subscribe('a', () => {
      throw new Error('boom');
    });
    feed.subscribe('a', () => (heard += 1));
    await feed.publish(['a']);
    expect(heard).toBe(1);
    expect(errors).toHaveLength(1);
  });
});

describe('summaryStream', () => {
  it('yields the current summary, then one re-read per burst of changes', async () => {
    const feed = createInProcessChangeFeed();
    const reads = controlledReads();
    reads.set(1);
    const stream = summaryStream('u', feed, () => reads.read());
    const first = stream.next();
    await waitFor('the first read to start', () => reads.waiting === 1);
    reads.release();
    expect((await first).value).toEqual(summaryOf(1));

    const second = stream.next();
    reads.set(2);
    await feed.publish(['u']);
    await waitFor('the re-read to start', () => reads.waiting === 1);
    // A burst while the re-read runs: it marks the summary dirty once more, nothing else.
    for (let i = 3; i <= 10; i++) {
      reads.set(i);
      await feed.publish(['u']);
    }
    expect(reads.waiting).toBe(1);
    reads.release();
    expect((await second).value?.total).toBe(2);
    // The whole burst costs one more read, and it sees the newest data.
    const third = stream.next();
    await waitFor('one more read for the whole burst', () => reads.waiting === 1);
    await turn();
    expect(reads.waiting).toBe(1);
    reads.release();
    expect((await third).value?.total).toBe(10);
    expect(reads.calls).toBe(3);
    await stream.return?.();
  });

  it('skips a re-read that equals what was sent, and ignores other users', async () => {
    const feed = createInProcessChangeFeed();
    let count = 1;
    let reads = 0;
    const stream = summaryStream('u', feed, async () => {
      reads += 1;
      return summaryOf(count);
    });
    expect((await stream.next()).value?.total).toBe(1);
    const next = stream.next();
    await feed.publish(['someone-else']);
    await feed.publish(['u']); // nothing changed for u
    await waitFor('the re-read of the unchanged summary', () => reads === 2);
    count = 0;
    await feed.publish(['u']);
    expect((await next).value).toEqual({ total: 0, items: [] });
    expect(reads).toBe(3);
    await stream.return?.();
  });

  it('ends a waiting next() at once on return() and stops listening', async () => {
    const feed = createInProcessChangeFeed();
    let reads = 0;
    const stream = summaryStream('u', feed, async () => {
      reads += 1;
      return summaryOf(reads);
    });
    await stream.next();
    const waiting = stream.next();
    await turn();
    await stream.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await feed.publish(['u']);
    await turn();
    expect(reads).toBe(1);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('fails the stream when a read fails', async () => {
    const feed = createInProcessChangeFeed();
    const stream = summaryStream('u', feed, async () => {
      throw new Error('database gone');
    });
    await expect(stream.next()).rejects.toThrow('database gone');
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
