import type { ApprovalEvent } from '../events/parseEvents.ts';
import type { PairState } from './pairStates.ts';

/**
 * What the approval store needs from a database: an append-only log and
 * checkpoints of the fold. MongoDB implements it (approvalLog.ts,
 * checkpoints.ts); memoryApprovalStorage.ts does for unit tests.
 */
export interface ApprovalStorage {
  log: ApprovalLog;
  checkpoints: Checkpoints;
}

/** One durable append: the events of one or more batches, at a position of the log. */
export interface LogEntry {
  position: number;
  events: ApprovalEvent[];
}

/**
 * The log before a position was pruned, so what a caller asked for is only
 * in a checkpoint now: it must load the newest one and go on from there.
 */
export class LogPrunedError extends Error {
  constructor(readonly position: number) {
    super(`approval log position ${position} was pruned; load the newest checkpoint`);
  }
}

/**
 * Entries at positions 1, 2, 3, … with no gaps: a reader that finds position
 * n missing knows nothing lies beyond. Writers on any number of replicas agree
 * on one order and nothing is ever overwritten.
 */
export interface ApprovalLog {
  /**
   * Stores `events` at the first free position from `from` on; resolves with
   * it once durable. Throws LogPrunedError when `from` lies in pruned log.
   */
  append(events: readonly ApprovalEvent[], from: number): Promise<number>;
  /** The entry at `position`, or null past the end; LogPrunedError when pruned. */
  read(position: number): Promise<LogEntry | null>;
  /** Every entry after `position`, in order (for start-up); LogPrunedError when pruned. */
  readAfter(position: number): Promise<LogEntry[]>;
  /** Drops log up to at most `position` (which a checkpoint covers); reads there throw LogPrunedError from then on. */
  pruneThrough(position: number): Promise<void>;
}

/** The folded states as of a log position: a start needs only these and the log after it. */
export interface Checkpoint {
  position: number;
  /** Events folded up to and including `position` (the checkpoint rule counts from it). */
  events: number;
  states: PairState[];
}

/** How many checkpoints are kept: the newest two, so a replica loading one while another is written never loses it. */
export const KEPT_CHECKPOINTS = 2;

export interface Checkpoints {
  /** The newest complete checkpoint, or null when there is none. */
  latest(): Promise<Checkpoint | null>;
  /**
   * Stores `checkpoint` unless another writer has claimed its position, then
   * removes all but the newest KEPT_CHECKPOINTS. Resolves false when it was
   * claimed; otherwise with the position of the oldest checkpoint kept (0
   * while fewer are kept): the log up to it is needed by none of them.
   */
  write(checkpoint: Checkpoint): Promise<false | number>;
}
