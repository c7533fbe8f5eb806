import type { ApprovalEvent } from '../events/parseEvents.ts';

/** The newest known count of one (userId, system) pair. */
export interface PairState {
  userId: string;
  system: string;
  count: number;
  seq: number;
  occurredAt: Date;
}

export interface PairStates {
  /** Folds events in; returns those that became their pair's newest. */
  apply(events: readonly ApprovalEvent[]): ApprovalEvent[];
  get(userId: string, system: string): PairState | undefined;
  size(): number;
  /** Every pair's state as of now (states are replaced, never mutated, so the copy stays true). */
  snapshot(): PairState[];
  /** Takes in states from a checkpoint (before any fold). */
  load(states: readonly PairState[]): void;
}

/**
 * The seq rule as a fold: per pair the event with the highest seq wins; an
 * equal seq is a repeat and changes nothing. Every replica folds the same log
 * in the same order, so all hold the same states; and as the winner is a
 * maximum, no order of delivery or repetition can lower a count.
 */
export function createPairStates(): PairStates {
  const byUser = new Map<string, Map<string, PairState>>();
  let pairs = 0;
  const newer = (candidate: { seq: number }, state: PairState | undefined) => !state || candidate.seq > state.seq;
  const put = (state: PairState) => {
    let systems = byUser.get(state.userId);
    if (!systems) byUser.set(state.userId, (systems = new Map<string, PairState>()));
    if (!systems.has(state.system)) pairs += 1;
    systems.set(state.system, state);
  };
  return {
    apply(events) {
      const won: ApprovalEvent[] = [];
      for (const event of events) {
        if (!newer(event, byUser.get(event.userId)?.get(event.system))) continue;
        put({ userId: event.userId, system: event.system, count: event.count, seq: event.seq, occurredAt: event.occurredAt });
        won.push(event);
      }
      return won;
    },
    get: (userId, system) => byUser.get(userId)?.get(system),
    size: () => pairs,
    snapshot: () => [...byUser.values()].flatMap((systems) => [...systems.values()]),
    load(states) {
      for (const state of states) if (newer(state, byUser.get(state.userId)?.get(state.system))) put(state);
    },
  };
}
