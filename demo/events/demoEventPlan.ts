import type { OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';

/** One signed request (or message) the demo sends: one system's events. */
export interface DemoDelivery {
  system: string;
  events: OutgoingEvent[];
  /** `late`: older than something already sent; `duplicate`: sent before. */
  kind: 'fresh' | 'late' | 'duplicate';
}

export interface DemoEventPlanOptions {
  systems: readonly string[];
  users: readonly string[];
  random?: () => number;
  /** First seq of every system. Default `Date.now()`, see below. */
  firstSeq?: number;
  maxCount?: number;
  /** Chance an event is held back and sent after the system's next one. Default 0.1. */
  lateRate?: number;
  /** Chance an event is sent twice. Default 0.1. */
  duplicateRate?: number;
  now?: () => Date;
}

export interface DemoEventPlan {
  /** The next event and what to send for it: nothing (held back), it, or it with a late or repeated one. */
  next(): DemoDelivery[];
  /** Deliveries of events still held back. */
  flush(): DemoDelivery[];
}

/**
 * What the demo business systems do, without any I/O: each event moves one
 * user's count in one system by a small random step (a random walk between 0
 * and `maxCount`); each system numbers its events with a growing seq. Some
 * events are held back and sent after a newer one, some are sent twice, as a
 * real network would, so the portal shows the seq rule at work.
 *
 * seq starts at `Date.now()` so a restarted demo keeps counting above what the
 * store already holds: it grows by one per event, far slower than the clock.
 */
export function createDemoEventPlan(options: DemoEventPlanOptions): DemoEventPlan {
  const random = options.random ?? Math.random;
  const maxCount = options.maxCount ?? 12;
  const lateRate = options.lateRate ?? 0.1;
  const duplicateRate = options.duplicateRate ?? 0.1;
  const now = options.now ?? (() => new Date());
  if (options.systems.length === 0 || options.users.length === 0) throw new Error('the demo needs at least one system and one user');
  const firstSeq = options.firstSeq ?? Date.now();
  const seqs = new Map(options.systems.map((system) => [system, firstSeq - 1]));
  const counts = new Map<string, number>();
  const held = new Map<string, OutgoingEvent>();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const nextEvent = (): OutgoingEvent => {
    const system = pick(options.systems);
    const userId = pick(options.users);
    const key = `${userId}|${system}`;
    const previous = counts.get(key) ?? Math.floor(random() * 6);
    const count = Math.min(maxCount, Math.max(0, previous + Math.floor(random() * 5) - 2));
    counts.set(key, count);
    const seq = (seqs.get(system) ?? firstSeq - 1) + 1;
    seqs.set(system, seq);
    return { system, userId, count, seq, occurredAt: now().toISOString() };
  };

  return {
    next() {
      const event = nextEvent();
      const late = held.get(event.system);
      if (!late && random() < lateRate) {
        held.set(event.system, event);
        return [];
      }
      const deliveries: DemoDelivery[] = [{ system: event.system, events: [event], kind: 'fresh' }];
      if (late) {
        held.delete(event.system);
        deliveries.push({ system: late.system, events: [late], kind: 'late' });
      }
      if (random() < duplicateRate) deliveries.push({ system: event.system, events: [event], kind: 'duplicate' });
      return deliveries;
    },
    flush() {
      const deliveries = [...held.values()].map((event): DemoDelivery => ({ system: event.system, events: [event], kind: 'late' }));
      held.clear();
      return deliveries;
    },
  };
}
