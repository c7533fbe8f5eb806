import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { ApprovalEvent } from '../events/parseEvents.ts';

/** One durable append: the events of one or more batches, at a position of the log. */
export interface LogEntry {
  position: number;
  events: ApprovalEvent[];
}

/**
 * Short keys keep a thousand events a small document (FerretDB refuses
 * nested arrays, so not tuples): user, system, count, seq, occurredAt ms.
 */
interface StoredEvent {
  u: string;
  s: string;
  c: number;
  q: number;
  t: number;
}

interface EntryDoc {
  _id: number;
  e: StoredEvent[];
  storedAt: Date;
}

export const LOG_COLLECTION = 'approvalLog';
const DUPLICATE_KEY = 11000;

export interface ApprovalLog {
  /** Stores `events` at the first free position from `from` on; resolves with it once durable. */
  append(events: readonly ApprovalEvent[], from: number): Promise<number>;
  /** The entry at `position`, or null past the end. */
  read(position: number): Promise<LogEntry | null>;
  /** Every entry after `position`, in order (one query; for start-up). */
  readAfter(position: number): Promise<LogEntry[]>;
}

/**
 * The approval log: entries at positions 1, 2, 3, … Appending is "insert
 * this `_id` or fail", the one atomic step every MongoDB-compatible server
 * has (FerretDB's conditional updates are not atomic), so writers on any
 * number of replicas agree on one order and nothing is ever overwritten.
 * Lookups are by `_id` equality, the one lookup FerretDB indexes.
 */
export function createApprovalLog(db: Db): ApprovalLog {
  const entries: Collection<EntryDoc> = db.collection<EntryDoc>(LOG_COLLECTION, {
    // Nothing is acknowledged to a producer before a majority has it on disk.
    writeConcern: { w: 'majority', journal: true },
  });
  return {
    async append(events, from) {
      const e = events.map((event): StoredEvent => ({ u: event.userId, s: event.system, c: event.count, q: event.seq, t: event.occurredAt.getTime() }));
      for (let position = from; ; position += 1) {
        try {
          await entries.insertOne({ _id: position, e, storedAt: new Date() });
          return position;
        } catch (error) {
          if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
        }
      }
    },
    async read(position) {
      const doc = await entries.findOne({ _id: position });
      return doc ? toEntry(doc) : null;
    },
    async readAfter(position) {
      const docs = await entries.find({ _id: { $gt: position } }).sort({ _id: 1 }).toArray();
      return docs.map(toEntry);
    },
  };
}

function toEntry(doc: EntryDoc): LogEntry {
  return {
    position: doc._id,
    events: doc.e.map(({ u, s, c, q, t }) => ({ userId: u, system: s, count: c, seq: q, occurredAt: new Date(t) })),
  };
}
