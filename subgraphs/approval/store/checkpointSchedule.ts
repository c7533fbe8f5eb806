export interface CheckpointScheduleOptions {
  /** Events folded between two checkpoints at least (or as many as there are pairs, if that is more). */
  every: number;
  /** Writes a checkpoint as of `position`, `events` folded through it; must take its snapshot before its first await. */
  write(position: number, events: number): Promise<void>;
  /** A write failed; nothing is lost, a start just replays more of the log. */
  onError?: (error: unknown) => void;
}

export interface CheckpointSchedule {
  /** Counts the events of an entry folded at `position`; starts a checkpoint when one is due. */
  folded(events: number, position: number, pairs: number): void;
  /** Counts on from a checkpoint just loaded. */
  loaded(events: number): void;
}

/**
 * When to write a checkpoint: once `every` events (or as many as there are
 * pairs, so its cost stays in proportion) were folded since the last one.
 * Every replica counts the same log, so all agree where checkpoints fall, and
 * the claim in the storage lets one of them write each. One write at a time:
 * a due checkpoint is skipped while another is written, a later one will do.
 */
export function createCheckpointSchedule(options: CheckpointScheduleOptions): CheckpointSchedule {
  let folded = 0;
  let lastCheckpoint = 0;
  let writing = false;
  return {
    folded(events, position, pairs) {
      folded += events;
      if (folded - lastCheckpoint < Math.max(options.every, pairs)) return;
      lastCheckpoint = folded;
      if (writing) return;
      writing = true;
      void options
        .write(position, folded)
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => (writing = false));
    },
    loaded(events) {
      folded = lastCheckpoint = events;
    },
  };
}
