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
}

/**
 * The seq rule as a fold: per pair the event with the highest seq wins; an
 * equal seq is a repeat and changes nothing. Every replica folds the same log
 * in the same order, so all hold the same states; and as the winner is a
 * maximum, no order of delivery or repetition can lower a count.
 */
export function createPairStates(): PairStates {
  const byUser = new Map<string, Map<string, PairState>>();
  const newer = (event: ApprovalEvent, state: PairState | undefined) => !state || event.seq > state.seq;
  return {
    apply(events) {
      const won: ApprovalEvent[] = [];
      for (const event of events) {
        let systems = byUser.get(event.userId);
        if (!systems) byUser.set(event.userId, (systems = new Map()));
        if (!newer(event, systems.get(event.system))) continue;
        systems.set(event.system, { userId: event.userId, system: event.system, count: event.count, seq: event.seq, occurredAt: event.occurredAt });
        won.push(event);
      }
      return won;
    },
    get: (userId, system) => byUser.get(userId)?.get(system),
    size: () => [...byUser.values()].reduce((sum, systems) => sum + systems.size, 0),
  };
}
