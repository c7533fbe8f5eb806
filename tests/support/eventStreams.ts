import type { OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';

/** A seeded generator, so a failure can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface EventScenario {
  events: OutgoingEvent[];
  /** The event with the highest seq per `userId|system`. */
  newest: Map<string, OutgoingEvent>;
}

/** `total` events over users × systems; each system numbers its own events, with gaps. */
export function eventScenario(
  rand: () => number,
  options: { total: number; users: readonly string[]; systems: readonly string[]; count: (rand: () => number) => number },
): EventScenario {
  const seqs = new Map(options.systems.map((s) => [s, 0]));
  const events: OutgoingEvent[] = [];
  const newest = new Map<string, OutgoingEvent>();
  for (let i = 0; i < options.total; i++) {
    const system = options.systems[Math.floor(rand() * options.systems.length)]!;
    const userId = options.users[Math.floor(rand() * options.users.length)]!;
    const seq = (seqs.get(system) ?? 0) + 1 + Math.floor(rand() * 3);
    seqs.set(system, seq);
    const count = options.count(rand);
    const event = { system, userId, count, seq, occurredAt: new Date(Date.UTC(2026, 10, 22, 6, 0, 0) + seq * 1000).toISOString() };
    events.push(event);
    newest.set(`${userId}|${system}`, event);
  }
  return { events, newest };
}

/** Every event 1–3 times, shuffled, cut into one-system batches of 1–`maxBatch`: what real producers do. */
export function shuffledDeliveries(rand: () => number, events: readonly OutgoingEvent[], maxBatch: number): OutgoingEvent[][] {
  const copies = events.flatMap((e) => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => e));
  for (let i = copies.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copies[i], copies[j]] = [copies[j]!, copies[i]!];
  }
  const open = new Map<string, { batch: OutgoingEvent[]; size: number }>();
  const batches: OutgoingEvent[][] = [];
  for (const e of copies) {
    let bucket = open.get(e.system);
    if (!bucket) open.set(e.system, (bucket = { batch: [], size: 1 + Math.floor(rand() * maxBatch) }));
    bucket.batch.push(e);
    if (bucket.batch.length >= bucket.size) {
      batches.push(bucket.batch);
      open.delete(e.system);
    }
  }
  for (const bucket of open.values()) batches.push(bucket.batch);
  return batches;
}
