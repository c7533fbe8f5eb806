import { describe, expect, it } from 'vitest';
import { createDemoEventPlan, type DemoDelivery } from '../../demo/events/demoEventPlan.ts';

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('the demo event plan', () => {
  const systems = ['hr', 'finance', 'security'];
  const users = ['u-1001', 'u-1002', 'u-1003'];

  const play = (steps: number) => {
    const plan = createDemoEventPlan({ systems, users, random: random(7), firstSeq: 1000 });
    const deliveries: DemoDelivery[] = [];
    for (let i = 0; i < steps; i++) deliveries.push(...plan.next());
    deliveries.push(...plan.flush());
    return deliveries;
  };

  it("walks counts between 0 and 12 and numbers each system's events from firstSeq upwards", () => {
    const deliveries = play(2000);
    const events = deliveries.flatMap((d) => d.events);
    expect(Math.min(...events.map((e) => e.count))).toBe(0);
    expect(Math.max(...events.map((e) => e.count))).toBe(12);
    for (const system of systems) {
      const seqs = [...new Set(events.filter((e) => e.system === system).map((e) => e.seq))].sort((a, b) => a - b);
      // Every seq of the system went out at least once, with no gaps.
      expect(seqs[0]).toBe(1000);
      expect(seqs[seqs.length - 1]! - seqs[0]!).toBe(seqs.length - 1);
    }
    for (const d of deliveries)
      for (const e of d.events) {
        expect(e.system).toBe(d.system);
        expect(new Date(e.occurredAt).toISOString()).toBe(e.occurredAt);
      }
  });

  it('sends some events late and some twice', () => {
    const deliveries = play(500);
    const kinds = deliveries.map((d) => d.kind);
    expect(kinds.filter((k) => k === 'late').length).toBeGreaterThan(10);
    expect(kinds.filter((k) => k === 'duplicate').length).toBeGreaterThan(10);
    // A late event really is older than one of its system's events sent before it.
    const highest = new Map<string, number>();
    let outOfOrder = 0;
    for (const d of deliveries) {
      const seq = d.events[0]!.seq;
      if (seq < (highest.get(d.system) ?? -1)) outOfOrder += 1;
      highest.set(d.system, Math.max(seq, highest.get(d.system) ?? -1));
    }
    expect(outOfOrder).toBe(kinds.filter((k) => k === 'late').length);
  });
});
