import { MongoBulkWriteError, MongoServerError, type Collection, type Db } from 'mongodb';
import type { ApprovalEvent } from '../events/parseEvents.ts';

/** The newest known count of one (userId, system) pair. */
export interface PairState {
  userId: string;
  system: string;
  count: number;
  seq: number;
  occurredAt: Date;
  /** Position in the pair's version chain, from 1. */
  version: number;
}

export interface ApplyResult {
  /** Events that became a pair's newest count. */
  applied: number;
  /** Events older than or equal to what was stored (or to a sibling in the batch). */
  ignoredAsOld: number;
  /** Users whose summary changed, for the change feed. */
  changedUserIds: string[];
}

export interface ApprovalStore {
  /** Applies the `seq` rule; resolves only once every applied event is durably stored. */
  applyEvents(events: readonly ApprovalEvent[]): Promise<ApplyResult>;
  /** The user's newest state in each of these systems (pairs never seen are left out). */
  readStates(userId: string, systemIds: readonly string[]): Promise<PairState[]>;
}

/** A batch failed part-way; the users whose counts did change are still listed. */
export class PartialApplyError extends Error {
  readonly changedUserIds: string[];
  constructor(cause: unknown, changedUserIds: string[]) {
    super(`storing approval events failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'PartialApplyError';
    this.changedUserIds = changedUserIds;
  }
}

interface VersionDoc extends PairState {
  _id: string;
  storedAt: Date;
}
interface HeadDoc extends PairState {
  _id: string;
}

export const VERSIONS_COLLECTION = 'approvalVersions';
export const HEADS_COLLECTION = 'approvalHeads';
const DUPLICATE_KEY = 11000;
/** Pairs written at once on the careful path; enough to hide latency, few enough not to flood the server. */
const WRITE_CONCURRENCY = 16;
/**
 * The head hint moves every this many versions: a reader walks at most this
 * many extra `_id` lookups, and most writes skip the head (on FerretDB a
 * write by `_id` costs far more than a read).
 */
const HEAD_STRIDE = 4;

/** System ids never contain `|`, so the last `|` always separates the two parts. */
export const pairKey = (userId: string, system: string): string => `${userId}|${system}`;
const versionKey = (pair: string, version: number): string => `${pair}|${version}`;

/**
 * The seq rule without a conditional update. FerretDB 1.24 runs an update as
 * "query, then write by _id" with nothing in between held, so two racing
 * `updateOne({_id, seq: {$lt}}, …, {upsert})` calls can store the older count
 * (a stress test showed it). The one atomic step every MongoDB-compatible
 * server has is "insert a new _id or fail", so each pair is a chain of
 * immutable versions `<userId>|<system>|1, |2, …`: a writer that saw version n
 * as newest inserts n+1 only if its seq is higher, and exactly one writer wins
 * each n+1. Seqs therefore rise along the chain and its end is the newest
 * count. A head document per pair remembers roughly where the end is (it
 * moves every HEAD_STRIDE versions), so a read is a few `_id` lookups: the
 * head, then the versions after it. A head that lags or briefly falls back
 * only costs extra lookups. Batches take the fast path (applyBatch).
 * Versions are never deleted (count 0 included), so an old event can never
 * resurrect a cleared pair; they double as an audit trail of accepted changes.
 */
export function createApprovalStore(db: Db): ApprovalStore {
  const versions: Collection<VersionDoc> = db.collection<VersionDoc>(VERSIONS_COLLECTION, {
    // Nothing is acknowledged to a producer before a majority has it on disk.
    writeConcern: { w: 'majority', journal: true },
  });
  const heads: Collection<HeadDoc> = db.collection<HeadDoc>(HEADS_COLLECTION);

  const readVersion = async (pair: string, version: number): Promise<PairState | null> => {
    const doc = await versions.findOne({ _id: versionKey(pair, version) });
    return doc ? toState(doc) : null;
  };

  /** Follows the chain from `from` to its end. */
  const walk = async (pair: string, from: PairState | null): Promise<PairState | null> => {
    let current = from;
    for (;;) {
      const next = await readVersion(pair, (current?.version ?? 0) + 1);
      if (!next) return current;
      current = next;
    }
  };

  /**
   * Points the head hint at `state`. Unconditional on purpose: a conditional
   * update costs FerretDB a scan of the collection, while a head that a racing
   * writer sets back only costs readers an extra lookup (they walk on).
   */
  const advanceHead = async (pair: string, state: PairState): Promise<void> => {
    try {
      await heads.replaceOne({ _id: pair }, state, { upsert: true });
    } catch (error) {
      // Two writers creating the same head at once: the other one's hint will do.
      if (!isDuplicateKey(error)) throw error;
    }
  };

  /**
   * The pair's newest version. With `repair`, a missing or lagging head (a
   * writer stopped between its two writes) is fixed by the reader that
   * notices, so later reads stay at two lookups; writers advance it anyway.
   */
  const latest = async (pair: string, repair = false): Promise<PairState | null> => {
    const head = await heads.findOne({ _id: pair });
    const from = head ? toState(head) : null;
    const end = await walk(pair, from);
    if (repair && end && (!from || end.version - from.version >= HEAD_STRIDE)) await advanceHead(pair, end).catch(() => undefined);
    return end;
  };

  /** Stores the event if it is newer than the pair's newest version; true when it did. */
  const applyOne = async (event: ApprovalEvent): Promise<boolean> => {
    const pair = pairKey(event.userId, event.system);
    let current = await latest(pair);
    for (;;) {
      if (current && current.seq >= event.seq) return false;
      const state: PairState = {
        userId: event.userId,
        system: event.system,
        count: event.count,
        seq: event.seq,
        occurredAt: event.occurredAt,
        version: (current?.version ?? 0) + 1,
      };
      try {
        await versions.insertOne({ _id: versionKey(pair, state.version), ...state, storedAt: new Date() });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Another writer took this version first: compare against what it stored.
        current = await walk(pair, await readVersion(pair, state.version));
        continue;
      }
      await advanceHead(pair, state);
      return true;
    }
  };

  /**
   * The whole batch in four round trips: read the heads, check that no version
   * lies beyond them, insert every next version at once, move the heads that
   * reached a stride. A pair whose head lags or whose next version another
   * writer took first goes back for the careful, one-pair-at-a-time path.
   */
  const applyBatch = async (events: ApprovalEvent[]): Promise<{ stored: ApprovalEvent[]; retry: ApprovalEvent[] }> => {
    if (events.length === 0) return { stored: [], retry: [] };
    const pairs = events.map((e) => pairKey(e.userId, e.system));
    const headOf = new Map((await heads.find({ _id: { $in: pairs } }).toArray()).map((doc) => [doc._id, toState(doc)]));
    const nextIds = pairs.map((pair) => versionKey(pair, (headOf.get(pair)?.version ?? 0) + 1));
    const taken = new Set((await versions.find({ _id: { $in: nextIds } }, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id));
    const retry: ApprovalEvent[] = [];
    const candidates: Array<{ event: ApprovalEvent; doc: VersionDoc }> = [];
    events.forEach((event, i) => {
      const pair = pairs[i]!;
      const head = headOf.get(pair);
      if (taken.has(nextIds[i]!)) return void retry.push(event); // the chain is longer than the head says
      if (head && head.seq >= event.seq) return; // older or equal: ignored
      const state: PairState = { userId: event.userId, system: event.system, count: event.count, seq: event.seq, occurredAt: event.occurredAt, version: (head?.version ?? 0) + 1 };
      candidates.push({ event, doc: { _id: versionKey(pair, state.version), ...state, storedAt: new Date() } });
    });
    const lost = new Set<number>();
    if (candidates.length > 0) {
      try {
        await versions.insertMany(candidates.map((c) => c.doc), { ordered: false });
      } catch (error) {
        if (!(error instanceof MongoBulkWriteError)) throw error;
        const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
        for (const writeError of writeErrors) {
          if (writeError.code !== DUPLICATE_KEY) throw error;
          lost.add(writeError.index);
        }
      }
    }
    const stored = candidates.filter((_, i) => !lost.has(i));
    retry.push(...candidates.filter((_, i) => lost.has(i)).map((c) => c.event));
    const due = stored.filter((c) => c.doc.version === 1 || c.doc.version % HEAD_STRIDE === 0);
    await Promise.all(due.map((c) => advanceHead(pairKey(c.event.userId, c.event.system), toState(c.doc))));
    return { stored: stored.map((c) => c.event), retry };
  };

  return {
    async applyEvents(events) {
      // Within one batch only the highest seq per pair can matter.
      const newest = new Map<string, ApprovalEvent>();
      for (const event of events) {
        const pair = pairKey(event.userId, event.system);
        const seen = newest.get(pair);
        if (!seen || event.seq > seen.seq) newest.set(pair, event);
      }
      const changed = new Set<string>();
      let applied = 0;
      let careful: ApprovalEvent[];
      try {
        const batch = await applyBatch([...newest.values()]);
        for (const event of batch.stored) changed.add(event.userId);
        applied = batch.stored.length;
        careful = batch.retry;
      } catch (error) {
        throw new PartialApplyError(error, [...changed]);
      }
      const failures = await forEachLimit(careful, WRITE_CONCURRENCY, async (event) => {
        if (await applyOne(event)) {
          applied += 1;
          changed.add(event.userId);
        }
      });
      // Some pairs may be stored although others failed: the caller still has to announce them.
      if (failures.length > 0) throw new PartialApplyError(failures[0], [...changed]);
      return { applied, ignoredAsOld: events.length - applied, changedUserIds: [...changed] };
    },

    async readStates(userId, systemIds) {
      const states = await Promise.all(systemIds.map((system) => latest(pairKey(userId, system), true)));
      return states.filter((state): state is PairState => state !== null);
    },
  };
}

function toState(doc: PairState): PairState {
  const { userId, system, count, seq, occurredAt, version } = doc;
  return { userId, system, count, seq, occurredAt, version };
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** Runs `fn` over every item, at most `limit` at once; returns the failures. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<unknown[]> {
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return failures;
}
