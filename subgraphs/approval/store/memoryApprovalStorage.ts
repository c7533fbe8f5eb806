import type { ApprovalEvent } from '../events/parseEvents.ts';
import {
  KEPT_CHECKPOINTS,
  LogPrunedError,
  type ApprovalLog,
  type ApprovalStorage,
  type Checkpoint,
  type Checkpoints,
  type LogEntry,
} from './approvalStorage.ts';

/**
 * The approval storage in memory, for unit tests: the same contract as the
 * MongoDB one (dense positions, insert-or-next, pruning that makes reads and
 * appends there fail with LogPrunedError, claimed checkpoints, the newest two
 * kept). Stores copies and hands out copies, as a database would. Stores
 * sharing one storage behave like replicas sharing one database.
 */
export function createMemoryApprovalStorage(): ApprovalStorage {
  return { log: createMemoryApprovalLog(), checkpoints: createMemoryCheckpoints() };
}

export function createMemoryApprovalLog(): ApprovalLog {
  const entries = new Map<number, readonly ApprovalEvent[]>();
  let last = 0;
  let prunedThrough = 0;
  const copy = (position: number, events: readonly ApprovalEvent[]): LogEntry => ({ position, events: events.map(copyEvent) });
  return {
    async append(events, from) {
      if (from <= prunedThrough) throw new LogPrunedError(from);
      const position = Math.max(from, last + 1);
      entries.set(position, events.map(copyEvent));
      last = Math.max(last, position);
      return position;
    },
    async read(position) {
      if (position <= prunedThrough) throw new LogPrunedError(position);
      const events = entries.get(position);
      return events ? copy(position, events) : null;
    },
    async readAfter(position) {
      if (position + 1 <= prunedThrough) throw new LogPrunedError(position + 1);
      const found: LogEntry[] = [];
      for (let next = position + 1, events = entries.get(next); events; next += 1, events = entries.get(next)) found.push(copy(next, events));
      return found;
    },
    async pruneThrough(position) {
      for (let at = prunedThrough + 1; at <= position; at += 1) entries.delete(at);
      prunedThrough = Math.max(prunedThrough, position);
    },
  };
}

export function createMemoryCheckpoints(): Checkpoints {
  const kept = new Map<number, Checkpoint>();
  const claimed = new Set<number>();
  return {
    async latest() {
      const newest = Math.max(0, ...kept.keys());
      const checkpoint = kept.get(newest);
      return checkpoint ? structuredClone(checkpoint) : null;
    },
    async write(checkpoint) {
      if (claimed.has(checkpoint.position)) return false;
      claimed.add(checkpoint.position);
      kept.set(checkpoint.position, structuredClone(checkpoint));
      const newestFirst = [...kept.keys()].sort((a, b) => b - a);
      if (newestFirst.length < KEPT_CHECKPOINTS) return 0;
      for (const position of newestFirst.slice(KEPT_CHECKPOINTS)) kept.delete(position);
      return newestFirst[KEPT_CHECKPOINTS - 1]!;
    },
  };
}

function copyEvent(event: ApprovalEvent): ApprovalEvent {
  return { ...event, occurredAt: new Date(event.occurredAt.getTime()) };
}
