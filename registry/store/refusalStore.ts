import type { Collection, Db } from 'mongodb';

/** A change the registry refused, as the console shows it. */
export interface Refusal {
  action: 'publish' | 'delete';
  /** The subgraph the change named. */
  name: string;
  by: string;
  at: Date;
  /** composition, breaking, ownership, limits, unreachable, … (ChangeOutcome's reason). */
  reason: string;
  /** Each composition error or breaking change, as the CLI was told. */
  errors: string[];
}

export interface RefusalStore {
  record(refusal: Refusal): Promise<void>;
  /** Newest first. */
  recent(limit?: number): Promise<Refusal[]>;
}

/** How many refusals are kept; older ones are dropped as new ones arrive. */
export const KEPT_REFUSALS = 200;
/** One refusal's errors are kept up to this many, each up to this long (a bad schema can yield thousands). */
const MAX_ERRORS = 50;
const MAX_ERROR_CHARS = 2000;

interface RefusalDoc extends Refusal {
  _id?: unknown;
}

/**
 * Refused changes, so a team can see later why its publish failed. Kept to
 * the newest KEPT_REFUSALS by deleting older ones on each insert, rather than
 * a capped collection or TTL index, which not every MongoDB-compatible server
 * (FerretDB) enforces. memoryRefusalStore.ts keeps them the same way in memory.
 */
export function createRefusalStore(db: Db): RefusalStore {
  const refusals: Collection<RefusalDoc> = db.collection<RefusalDoc>('refusals');
  return {
    async record(refusal) {
      await refusals.insertOne(trimmedRefusal(refusal));
      const oldestKept = await refusals
        .find({}, { projection: { at: 1 } })
        .sort({ at: -1 })
        .skip(KEPT_REFUSALS - 1)
        .limit(1)
        .next();
      if (oldestKept) await refusals.deleteMany({ at: { $lt: oldestKept.at } });
    },
    async recent(limit = KEPT_REFUSALS) {
      const docs = await refusals
        .find({}, { projection: { _id: 0 } })
        .sort({ at: -1 })
        .limit(Math.min(limit, KEPT_REFUSALS))
        .toArray();
      return docs.map(({ _id: _ignored, ...refusal }) => refusal);
    },
  };
}

/** `refusal` with its errors cut to what is kept. */
export function trimmedRefusal(refusal: Refusal): Refusal {
  const errors = refusal.errors.slice(0, MAX_ERRORS).map((e) => (e.length > MAX_ERROR_CHARS ? `${e.slice(0, MAX_ERROR_CHARS)}…` : e));
  if (refusal.errors.length > MAX_ERRORS) errors.push(`… and ${refusal.errors.length - MAX_ERRORS} more`);
  return { ...refusal, errors };
}
