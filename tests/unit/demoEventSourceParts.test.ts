import { describe, expect, it } from 'vitest';
import { createDeliveryTally } from '../../demo/events/createDeliveryTally.ts';
import type { DemoDelivery } from '../../demo/events/demoEventPlan.ts';
import { startPacedLoop } from '../../demo/events/startPacedLoop.ts';
import { waitFor } from '../support/waitFor.ts';

const event = (userId: string, seq: number, count = 1) => ({ system: 'hr', userId, count, occurredAt: '2026-01-01T00:00:00Z', seq });
const delivery = (kind: DemoDelivery['kind'], ...events: ReturnType<typeof event>[]): DemoDelivery => ({ system: 'hr', events, kind });

describe('delivery tally', () => {
  it('keeps the newest event per user and system, whatever order late and repeated ones arrive in', () => {
    const tally = createDeliveryTally();
    tally.delivered(delivery('fresh', event('kim', 2, 5)));
    tally.delivered(delivery('late', event('kim', 1, 3)));
    tally.delivered(delivery('duplicate', event('kim', 2, 5)));
    tally.delivered(delivery('fresh', event('lee', 7, 1)));
    const stats = tally.stats();
    expect(stats).toMatchObject({ sent: 4, late: 1, duplicates: 1, failed: 0 });
    expect(stats.newest.get('kim|hr')?.seq).toBe(2);
    expect(stats.newest.get('lee|hr')?.seq).toBe(7);
  });

  it('reports each window once, with the last fresh event and the last failure, while the totals keep counting', () => {
    const tally = createDeliveryTally();
    tally.delivered(delivery('fresh', event('kim', 3, 4)));
    tally.delivered(delivery('late', event('kim', 2, 9)));
    tally.failed(new Error('HTTP 503: unavailable'));
    expect(tally.takeWindow()).toEqual({ sent: 2, late: 1, duplicates: 0, failed: 1, lastError: 'HTTP 503: unavailable', last: 'hr kim → 4 (seq 3)' });
    expect(tally.takeWindow()).toEqual({ sent: 0, late: 0, duplicates: 0, failed: 0, lastError: '', last: '' });
    expect(tally.stats()).toMatchObject({ sent: 2, failed: 1 });
  });

  it('hands out copies, so a caller cannot change what it counts', () => {
    const tally = createDeliveryTally();
    tally.delivered(delivery('fresh', event('kim', 1)));
    tally.stats().newest.clear();
    expect(tally.stats().newest.size).toBe(1);
  });
});

describe('paced loop', () => {
  it('runs its step again and again, and stopping ends a long wait at once', async () => {
    let steps = 0;
    const loop = startPacedLoop(0, () => Promise.resolve(void steps++));
    await waitFor('three steps', () => steps >= 3);
    await loop.stop();
    const slow = startPacedLoop(60_000, () => Promise.resolve(void steps++));
    const started = Date.now();
    await slow.stop();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('lets a running step finish and starts no other once stopped', async () => {
    let release: () => void = () => undefined;
    let steps = 0;
    const loop = startPacedLoop(60_000, () => {
      steps++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    await waitFor('the first step', () => steps === 1);
    const stopped = loop.stop();
    release();
    const started = Date.now();
    await stopped;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(steps).toBe(1);
  });
});
