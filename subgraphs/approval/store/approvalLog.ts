import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { ApprovalEvent } from '../events/parseEvents.ts';
import { LogPrunedError, type ApprovalLog, type LogEntry } from './approvalStorage.ts';
import { packEvents, unpackEvents } from './packedEvents.ts';

/** The format before packedEvents.ts: short keys (user, system, count, seq, occurredAt ms); still read. */
interface StoredEvent {
  u: string;
  s: string;
  c: number;
  q: number;
  t: number;
}

interface EntryDoc {
  /** The position, zero-padded: FerretDB pushes down string `_id` filters only. */
  _id: string;
  /** packedEvents.ts; an array in entries written before it. */
  e: string | StoredEvent[];
  storedAt: Date;
}

/** Collections of the log are `approvalLog.0`, `approvalLog.1`, …, each holding ENTRIES_PER_PART positions. */
export const LOG_COLLECTION_PREFIX = 'approvalLog';
/**
 * FerretDB on SQLite answers even an `_id` lookup by scanning the collection,
 * so the log is cut into small collections: a lookup, or a miss at the end of
 * the log, scans at most this many entries, however long the log grows.
 */
const ENTRIES_PER_PART = 16;
const DUPLICATE_KEY = 11000;

/** Collection of the floor: parts below it were pruned (insert-only documents, the highest counts). */
const FLOOR_COLLECTION = 'approvalLogFloor';
const NAMESPACE_NOT_FOUND = 26;

/**
 * The approval log: entries at positions 1, 2, 3, … Appending is "insert
 * this `_id` or fail", the one atomic step every MongoDB-compatible server
 * has (FerretDB's conditional updates are not atomic), so writers on any
 * number of replicas agree on one order and nothing is ever overwritten.
 * A writer moves past a position only once it is taken, so positions are
 * dense: a reader that finds position n missing knows nothing lies beyond.
 *
 * Pruning drops whole collections, after raising a floor. An insert into a
 * dropped collection would succeed (it creates the collection anew), and a
 * read there finds nothing, so a writer checks the floor after each insert
 * and a reader after each miss: as the floor is raised before the drop, one
 * that landed in pruned log always sees it, and learns to load a checkpoint.
 */
export function createApprovalLog(db: Db): ApprovalLog {
  const parts = createLogParts(db);
  return {
    append: (events, from) => appendEntry(db, parts, events, from),
    read: (position) => readEntry(parts, position),
    readAfter: (position) => readEntriesAfter(parts, position),
    pruneThrough: (position) => pruneLog(db, parts, position),
  };
}

/** The log's collections, and the floor below which they were pruned. */
interface LogParts {
  /** The collection that holds `position`. */
  partOf(position: number): Collection<EntryDoc>;
  /** Whether `position` lies below the floor (asks the database unless already known). */
  pruned(position: number): Promise<boolean>;
  /** The present floor, from the database. */
  floor(): Promise<number>;
  /** Inserts a floor document; the caller drops the parts below it afterwards. */
  raiseFloor(to: number): Promise<void>;
  /** Removes floor documents below the present one. */
  forgetFloorsBelow(to: number): Promise<void>;
}

function createLogParts(db: Db): LogParts {
  const durable = { writeConcern: { w: 'majority' as const, journal: true } };
  const parts = new Map<number, Collection<EntryDoc>>();
  const floors = db.collection<{ _id: string }>(FLOOR_COLLECTION, durable);
  /** The floor only rises, so the highest seen is a lower bound of the present one. */
  let knownFloor = 0;
  const learnFloor = (to: number) => {
    if (to <= knownFloor) return;
    knownFloor = to;
    for (const index of parts.keys()) if (index < to) parts.delete(index);
  };
  const floor = async () => {
    learnFloor(Math.max(0, ...(await floors.find({}).toArray()).map((doc) => Number(doc._id))));
    return knownFloor;
  };
  return {
    partOf(position) {
      const index = partIndexOf(position);
      let part = parts.get(index);
      if (!part) {
        // Nothing is acknowledged to a producer before a majority has it on disk.
        part = db.collection<EntryDoc>(`${LOG_COLLECTION_PREFIX}.${index}`, durable);
        parts.set(index, part);
      }
      return part;
    },
    pruned: async (position) => partIndexOf(position) < knownFloor || partIndexOf(position) < (await floor()),
    floor,
    async raiseFloor(to) {
      try {
        await floors.insertOne({ _id: idOf(to) });
      } catch (error) {
        if (!isDuplicate(error)) throw error;
      }
      learnFloor(to);
    },
    async forgetFloorsBelow(to) {
      await floors.deleteMany({ _id: { $lt: idOf(to) } });
    },
  };
}

/** Insert-or-fail at `from`, `from + 1`, … until one position is free. */
async function appendEntry(db: Db, parts: LogParts, events: readonly ApprovalEvent[], from: number): Promise<number> {
  const e = packEvents(events);
  for (let position = from; ; position += 1) {
    try {
      await parts.partOf(position).insertOne({ _id: idOf(position), e, storedAt: new Date() });
    } catch (error) {
      if (!isDuplicate(error)) throw error;
      continue;
    }
    if (await parts.pruned(position)) {
      // It landed in a collection the insert re-created: take it away again.
      await dropPart(db, partIndexOf(position));
      throw new LogPrunedError(position);
    }
    return position;
  }
}

async function readEntry(parts: LogParts, position: number): Promise<LogEntry | null> {
  const doc = await parts.partOf(position).findOne({ _id: idOf(position) });
  if (doc) return toEntry(doc);
  if (await parts.pruned(position)) throw new LogPrunedError(position);
  return null;
}

/** Reads whole parts, one query each, until the first gap. */
async function readEntriesAfter(parts: LogParts, position: number): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for (let next = position + 1; ;) {
    const docs = await parts.partOf(next).find({}).toArray();
    const part = docs
      .map(toEntry)
      .filter((entry) => entry.position >= next)
      .sort((a, b) => a.position - b.position);
    for (const entry of part) {
      if (entry.position !== next) return entries;
      entries.push(entry);
      next += 1;
    }
    // A part not yet full is where the log ends.
    if ((next - 1) % ENTRIES_PER_PART !== 0 || part.length === 0) {
      if (await parts.pruned(next)) throw new LogPrunedError(next);
      return entries;
    }
  }
}

/** Raises the floor first, then drops the parts below it: a writer or reader that lands there sees the floor. */
async function pruneLog(db: Db, parts: LogParts, position: number): Promise<void> {
  const newFloor = partIndexOf(position + 1);
  const oldFloor = await parts.floor();
  if (newFloor <= oldFloor) return;
  await parts.raiseFloor(newFloor);
  for (let part = oldFloor; part < newFloor; part += 1) await dropPart(db, part);
  await parts.forgetFloorsBelow(newFloor);
}

function isDuplicate(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

async function dropPart(db: Db, index: number): Promise<void> {
  try {
    await db.collection(`${LOG_COLLECTION_PREFIX}.${index}`).drop();
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
  }
}

function partIndexOf(position: number): number {
  return Math.floor((position - 1) / ENTRIES_PER_PART);
}

/** Every collection of the log, for tests that count what was stored. */
export async function logCollections(db: Db): Promise<string[]> {
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  return collections.map((c) => c.name).filter((name) => name.startsWith(`${LOG_COLLECTION_PREFIX}.`));
}

function idOf(position: number): string {
  return String(position).padStart(12, '0');
}

function toEntry(doc: EntryDoc): LogEntry {
  return {
    position: Number(doc._id),
    events:
      typeof doc.e === 'string' ? unpackEvents(doc.e) : doc.e.map(({ u, s, c, q, t }) => ({ userId: u, system: s, count: c, seq: q, occurredAt: new Date(t) })),
  };
}
