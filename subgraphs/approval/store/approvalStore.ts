import type { Db } from 'mongodb';
import type { ApprovalEvent } from '../events/parseEvents.ts';
import { createApprovalLog } from './approvalLog.ts';
import type { ApprovalStorage } from './approvalStorage.ts';
import { createCheckpoints } from './checkpoints.ts';
import { createGroupCommit } from './groupCommit.ts';
import { createLogFollower } from './logFollower.ts';
import { createPairStates, type PairState } from './pairStates.ts';

export type { PairState } from './pairStates.ts';

export interface ApplyResult {
  /** Events that became a pair's newest count. */
  applied: number;
  /** Events older than or equal to what was stored (or to a sibling in the batch). */
  ignoredAsOld: number;
  /** Users whose summary changed, for the change feed. */
  changedUserIds: string[];
}

export interface ApprovalStore {
  /** Applies the `seq` rule; resolves only once the events are durably stored. */
  applyEvents(events: readonly ApprovalEvent[]): Promise<ApplyResult>;
  /** The user's newest state in each of these systems (pairs never seen are left out), including every write acknowledged before the call, by any replica. */
  readStates(userId: string, systemIds: readonly string[]): Promise<PairState[]>;
}

/** Events in one log entry at most; concurrent batches beyond that wait for the next entry. */
const MAX_ENTRY_EVENTS = 5000;
/** Replaying this many events at a start takes a few seconds on FerretDB/SQLite (about 25,000 a second). */
export const DEFAULT_CHECKPOINT_EVENTS = 100_000;

export interface ApprovalStoreOptions {
  /**
   * A checkpoint is written once this many events, or as many as there are
   * pairs if that is more (so its cost stays in proportion), were folded
   * since the last one.
   */
  checkpointEvents?: number;
  /** Writing a checkpoint or pruning the log behind it failed; nothing is lost, a start just replays more of the log. */
  onCheckpointError?: (error: unknown) => void;
}

/** The approval store on MongoDB: the log and checkpoints in `db`. */
export function createApprovalStore(db: Db, options: ApprovalStoreOptions = {}): ApprovalStore {
  return createApprovalStoreOver({ log: createApprovalLog(db), checkpoints: createCheckpoints(db) }, options);
}

/**
 * The approval store: a log in the storage, the seq rule as a fold in memory.
 *
 * Every accepted batch is appended to the log before it is acknowledged;
 * batches that arrive while an append is under way share the next one
 * (groupCommit.ts), so a thousand-event request costs one write, not a
 * thousand. Each replica folds the log, in log order, into per-pair states
 * (logFollower.ts, pairStates.ts), keeping for every pair the event with the
 * highest seq. Every replica folds the same log in the same order, so all
 * agree; and as the winner is a maximum, no duplicate, reordering or race
 * between replicas can lower a count: the states are a function of what the
 * storage holds. Before answering a read, a replica folds the entries others
 * appended since it last looked, so a read sees every write acknowledged
 * before it. A start loads the newest checkpoint and folds only the log
 * after it, so its cost does not grow with the log's age.
 */
export function createApprovalStoreOver(storage: ApprovalStorage, options: ApprovalStoreOptions = {}): ApprovalStore {
  const states = createPairStates();
  const follower = createLogFollower(storage, states, {
    checkpointEvents: options.checkpointEvents ?? DEFAULT_CHECKPOINT_EVENTS,
    onCheckpointError: options.onCheckpointError,
  });
  const group = createGroupCommit({
    maxItems: MAX_ENTRY_EVENTS,
    async commit(events: readonly ApprovalEvent[]): Promise<ReadonlySet<ApprovalEvent>> {
      const entry = newestPerPair(events);
      const winners = await follower.commit(entry);
      return new Set(winners ? entry.filter((_, index) => winners.has(index)) : entry);
    },
  });

  return {
    async applyEvents(events) {
      if (events.length === 0) return { applied: 0, ignoredAsOld: 0, changedUserIds: [] };
      return resultOf(events, await group.submit(events));
    },
    async readStates(userId, systemIds) {
      await follower.catchUp();
      return systemIds.flatMap((system) => {
        const state = states.get(userId, system);
        return state ? [state] : [];
      });
    },
  };
}

/** What a batch did: which of its events its entry's fold made a pair's newest. */
function resultOf(events: readonly ApprovalEvent[], won: ReadonlySet<ApprovalEvent>): ApplyResult {
  const applied = events.filter((event) => won.has(event));
  return { applied: applied.length, ignoredAsOld: events.length - applied.length, changedUserIds: [...new Set(applied.map((e) => e.userId))] };
}

/** Within one entry only the highest seq per pair can matter (the first of equal ones, as in the fold). */
export function newestPerPair(events: readonly ApprovalEvent[]): ApprovalEvent[] {
  const newest = new Map<string, ApprovalEvent>();
  for (const event of events) {
    const key = `${event.userId}|${event.system}`;
    const seen = newest.get(key);
    if (!seen || event.seq > seen.seq) newest.set(key, event);
  }
  return [...newest.values()];
}
