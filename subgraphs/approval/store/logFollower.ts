import type { ApprovalEvent } from '../events/parseEvents.ts';
import { LogPrunedError, type ApprovalStorage, type LogEntry } from './approvalStorage.ts';
import { createCheckpointSchedule } from './checkpointSchedule.ts';
import { createCoalescedRun } from '../../../lib/async/coalescedRun.ts';
import { createOwnAppends, type Winners } from './ownAppends.ts';
import type { PairStates } from './pairStates.ts';

export interface LogFollowerOptions {
  /** See ApprovalStoreOptions.checkpointEvents. */
  checkpointEvents: number;
  onCheckpointError?: (error: unknown) => void;
}

export interface LogFollower {
  /** Folds every entry appended (by any replica) before the call; at the first call, loads the newest checkpoint first. */
  catchUp(): Promise<void>;
  /**
   * Appends `events` as one entry and folds the log up to it. Resolves with
   * which of them became their pair's newest, or null when that is not known
   * (a checkpoint passed over them: count them all, a spare push is harmless).
   */
  commit(events: readonly ApprovalEvent[]): Promise<Winners | null>;
}

/** Attempts at a step that keeps meeting freshly pruned log. */
const PRUNED_ATTEMPTS = 5;

/**
 * One replica's place in the log: folds entries in log order into `states`,
 * from the newest checkpoint on, and writes checkpoints as they fall due.
 * Where the log it needs next was pruned, it loads the checkpoint that
 * replaced it and goes on from there.
 */
export function createLogFollower(storage: ApprovalStorage, states: PairStates, options: LogFollowerOptions): LogFollower {
  const { log, checkpoints } = storage;
  const own = createOwnAppends();
  /** The first log position not folded yet. */
  let next = 1;
  const schedule = createCheckpointSchedule({ every: options.checkpointEvents, write: checkpointWriter(storage, states), onError: options.onCheckpointError });

  /** Moves to the newest checkpoint if it lies ahead: at a start, or when the log needed next was pruned. */
  const loadCheckpoint = async () => {
    const checkpoint = await checkpoints.latest();
    if (!checkpoint || checkpoint.position < next) return;
    states.load(checkpoint.states);
    own.passedOver(checkpoint.position);
    next = checkpoint.position + 1;
    schedule.loaded(checkpoint.events);
  };

  const pastPruning = <T>(step: () => Promise<T>) => retryPastPruning(step, loadCheckpoint);

  const fold = (entry: LogEntry) => {
    if (entry.position !== next) return;
    const won = states.apply(entry.events);
    if (own.wants(entry.position)) own.folded(entry.position, indexesOf(entry.events, won));
    next = entry.position + 1;
    schedule.folded(entry.events.length, entry.position, states.size());
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

  const catchUp = createCoalescedRun(async () => {
    await loaded();
    await pastPruning(async () => {
      for (;;) {
        const entry = own.entryAt(next) ?? (await log.read(next));
        if (!entry) return;
        fold(entry);
      }
    });
  });

  return {
    catchUp,
    async commit(events) {
      own.begin();
      let position: number | undefined;
      try {
        await loaded();
        position = await pastPruning(() => log.append(events, next));
        own.stored({ position, events: [...events] }, position < next);
        await catchUp();
      } catch (error) {
        own.finish(position);
        throw error;
      }
      return own.finish(position);
    },
  };
}

/** Runs `step`; where it meets pruned log, loads the checkpoint that replaced it and runs it again. */
async function retryPastPruning<T>(step: () => Promise<T>, loadCheckpoint: () => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof LogPrunedError) || attempt >= PRUNED_ATTEMPTS) throw error;
      await loadCheckpoint();
    }
  }
}

/** Writes a checkpoint of `states` (its snapshot taken at the call) and prunes the log that no kept checkpoint needs. */
function checkpointWriter({ log, checkpoints }: ApprovalStorage, states: PairStates) {
  return async (position: number, events: number): Promise<void> => {
    const neededAfter = await checkpoints.write({ position, events, states: states.snapshot() });
    // A replica still behind the pruned log loads a checkpoint instead.
    if (neededAfter) await log.pruneThrough(neededAfter);
  };
}

function indexesOf(events: readonly ApprovalEvent[], won: readonly ApprovalEvent[]): Winners {
  const winners = new Set(won);
  const indexes = new Set<number>();
  events.forEach((event, index) => {
    if (winners.has(event)) indexes.add(index);
  });
  return indexes;
}
