import type { LogEntry } from './approvalStorage.ts';

/** Which events of an entry became their pair's newest, as indexes into its events. */
export type Winners = ReadonlySet<number>;

export interface OwnAppends {
  /** An append of this replica starts: from now on folds keep their winners until it finishes. */
  begin(): void;
  /** The append is durable at `entry.position`; kept (so it need not be read back) unless already folded. */
  stored(entry: LogEntry, alreadyFolded: boolean): void;
  /** This replica's own entry at `position`, stored but not folded yet. */
  entryAt(position: number): LogEntry | undefined;
  /** Whether the fold of `position` must report its winners. */
  wants(position: number): boolean;
  folded(position: number, winners: Winners): void;
  /** A checkpoint through `position` was loaded instead of folding own entries up to it: which events won is unknown, so all count. */
  passedOver(position: number): void;
  /** The append is over: the winners of its entry, or null when not known (a checkpoint passed over it: count every event). */
  finish(position: number | undefined): Winners | null;
}

/**
 * What this replica's own appends did. A concurrent catch-up may read and
 * fold an entry between its insert and the moment the appender learns its
 * position, so while an append is under way every fold keeps its winners,
 * and the appender picks its own once it knows where it landed.
 */
export function createOwnAppends(): OwnAppends {
  let appending = 0;
  const unfolded = new Map<number, LogEntry>();
  const winners = new Map<number, Winners>();
  return {
    begin() {
      appending += 1;
    },
    stored(entry, alreadyFolded) {
      if (!alreadyFolded) unfolded.set(entry.position, entry);
    },
    entryAt: (position) => unfolded.get(position),
    wants: (position) => appending > 0 || unfolded.has(position),
    folded(position, won) {
      winners.set(position, won);
      unfolded.delete(position);
    },
    passedOver(position) {
      for (const [at, entry] of unfolded) {
        if (at > position) continue;
        winners.set(at, new Set(entry.events.keys()));
        unfolded.delete(at);
      }
    },
    finish(position) {
      appending -= 1;
      const won = position === undefined ? undefined : winners.get(position);
      if (position !== undefined) winners.delete(position);
      // No append left waiting: what the folds kept meanwhile is nobody's.
      if (appending === 0) winners.clear();
      return won ?? null;
    },
  };
}
