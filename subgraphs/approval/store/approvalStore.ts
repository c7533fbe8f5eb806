import type { Db } from 'mongodb';
import type { ApprovalEvent } from '../events/parseEvents.ts';
import { createApprovalLog, LogPrunedError, type LogEntry } from './approvalLog.ts';
import { createCheckpoints } from './checkpoints.ts';
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

interface Waiter {
  events: readonly ApprovalEvent[];
  resolve(result: ApplyResult): void;
  reject(error: unknown): void;
}

/**
 * The approval store: a log in the database, the seq rule as a fold in memory.
 *
 * Every accepted batch is appended to the log (approvalLog.ts) before it is
 * acknowledged; batches that arrive while an append is under way share the
 * next one (group commit), so a thousand-event request costs one write, not a
 * thousand. Each replica folds the log, in log order, into per-pair states
 * (pairStates.ts), keeping for every pair the event with the highest seq.
 * Every replica folds the same log in the same order, so all agree; and as
 * the winner is a maximum, no duplicate, reordering or race between replicas
 * can lower a count: the states are a function of what the database holds.
 * Before answering a read, a replica looks for log
 * entries appended by others since it last looked (one `_id` lookup, shared
 * by concurrent reads), so a read sees every write acknowledged before it.
 * A start loads the newest checkpoint (checkpoints.ts) and folds only the
 * log after it, so its cost does not grow with the log's age.
 */
export function createApprovalStore(db: Db, options: ApprovalStoreOptions = {}): ApprovalStore {
  const log = createApprovalLog(db);
  const checkpoints = createCheckpoints(db);
  const states = createPairStates();
  /** The first log position not folded yet. */
  let next = 1;
  /** Entries this replica appended, kept until folded so they need not be read back. */
  const own = new Map<number, LogEntry>();
  /** Which events of this replica's own entries became their pair's newest, by position. */
  const outcomes = new Map<number, Set<ApprovalEvent>>();

  // Every replica counts the same log, so all agree where checkpoints fall and
  // the claim in checkpoints.ts lets one of them write each.
  const checkpointEvents = options.checkpointEvents ?? DEFAULT_CHECKPOINT_EVENTS;
  let folded = 0;
  let lastCheckpoint = 0;
  let checkpointing = false;
  const maybeCheckpoint = (position: number) => {
    if (folded - lastCheckpoint < Math.max(checkpointEvents, states.size())) return;
    lastCheckpoint = folded;
    // One write at a time; a later position will do if this one is skipped.
    if (checkpointing) return;
    checkpointing = true;
    const checkpoint = { position, events: folded, states: states.snapshot() };
    void checkpoints
      .write(checkpoint)
      // The log that no kept checkpoint needs goes; a replica still behind it loads a checkpoint instead.
      .then((neededAfter) => (neededAfter ? log.pruneThrough(neededAfter) : undefined))
      .catch((error: unknown) => options.onCheckpointError?.(error))
      .finally(() => (checkpointing = false));
  };

  /** Moves to the newest checkpoint if it lies ahead: at a start, or when the log this replica needs next was pruned. */
  const loadCheckpoint = async () => {
    const checkpoint = await checkpoints.latest();
    if (!checkpoint || checkpoint.position < next) return;
    states.load(checkpoint.states);
    // Own entries the checkpoint passed over: which events won is unknown, so all count as changes (a spare push, never a lost one).
    for (const [position, entry] of own) {
      if (position > checkpoint.position) continue;
      outcomes.set(position, new Set(entry.events));
      own.delete(position);
    }
    next = checkpoint.position + 1;
    folded = lastCheckpoint = checkpoint.events;
  };
  /** Runs `step`; where it meets pruned log, loads the checkpoint that replaced it and runs it again. */
  const pastPruning = async <T>(step: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await step();
      } catch (error) {
        if (!(error instanceof LogPrunedError) || attempt >= 5) throw error;
        await loadCheckpoint();
      }
    }
  };

  let loading: Promise<void> | null = null;
  const loaded = () => {
    loading ??= pastPruning(async () => {
      await loadCheckpoint();
      for (const entry of await log.readAfter(next - 1)) fold(entry);
    }).catch((error: unknown) => {
      loading = null; // the next call tries again
      throw error;
    });
    return loading;
  };
  const fold = (entry: LogEntry) => {
    if (entry.position !== next) return;
    const won = states.apply(entry.events);
    if (own.has(entry.position)) outcomes.set(entry.position, new Set(won));
    next = entry.position + 1;
    folded += entry.events.length;
    maybeCheckpoint(entry.position);
  };

  // One look at the log at a time; a caller arriving during one waits for the
  // one after it, which is sure to start after the caller's own call.
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const look = async () => {
    await loaded();
    await pastPruning(async () => {
      for (;;) {
        const entry = own.get(next) ?? (await log.read(next));
        if (!entry) return;
        fold(entry);
        own.delete(entry.position);
      }
    });
  };
  const catchUp = (): Promise<void> => {
    if (!running) {
      running = look().finally(() => (running = null));
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return catchUp();
      });
    return queued;
  };

  const waiting: Waiter[] = [];
  let writing = false;
  const write = async () => {
    if (writing) return;
    writing = true;
    try {
      while (waiting.length > 0) {
        const group: Waiter[] = [];
        let size = 0;
        while (waiting.length > 0 && (group.length === 0 || size + waiting[0]!.events.length <= MAX_ENTRY_EVENTS)) {
          const waiter = waiting.shift()!;
          group.push(waiter);
          size += waiter.events.length;
        }
        try {
          await loaded();
          const events = newestPerPair(group.flatMap((w) => w.events));
          const position = await pastPruning(() => log.append(events, next));
          own.set(position, { position, events });
          await catchUp();
          const won = outcomes.get(position) ?? new Set<ApprovalEvent>();
          outcomes.delete(position);
          for (const waiter of group) waiter.resolve(resultOf(waiter.events, won));
        } catch (error) {
          for (const waiter of group) waiter.reject(error);
        }
      }
    } finally {
      writing = false;
    }
  };

  /** What a batch did: which of its events its entry's fold made a pair's newest. */
  const resultOf = (events: readonly ApprovalEvent[], won: ReadonlySet<ApprovalEvent>): ApplyResult => {
    const applied = events.filter((event) => won.has(event));
    return { applied: applied.length, ignoredAsOld: events.length - applied.length, changedUserIds: [...new Set(applied.map((e) => e.userId))] };
  };

  return {
    applyEvents(events) {
      if (events.length === 0) return Promise.resolve({ applied: 0, ignoredAsOld: 0, changedUserIds: [] });
      return new Promise<ApplyResult>((resolve, reject) => {
        waiting.push({ events, resolve, reject });
        void write();
      });
    },
    async readStates(userId, systemIds) {
      await catchUp();
      return systemIds.flatMap((system) => {
        const state = states.get(userId, system);
        return state ? [state] : [];
      });
    },
  };
}

/** Within one entry only the highest seq per pair can matter (the first of equal ones, as in the fold). */
function newestPerPair(events: readonly ApprovalEvent[]): ApprovalEvent[] {
  const newest = new Map<string, ApprovalEvent>();
  for (const event of events) {
    const key = `${event.userId}|${event.system}`;
    const seen = newest.get(key);
    if (!seen || event.seq > seen.seq) newest.set(key, event);
  }
  return [...newest.values()];
}
