import { MongoServerError, type Collection, type Db } from 'mongodb';
import { ensureExpiryIndex, type ExpiryIndex } from '../../lib/mongo/expiryIndex.ts';
import type { Logger } from '../../lib/log.ts';
import type { KnownOperation } from '../evaluate/usageCheck.ts';
import type { ManifestOperation } from '../operations/parseManifest.ts';
import { DAY_MS, etagOf, keyedManifest, knownOperationsOf, manifestKey, persistedOperations, summaryOf, type UsageRecord } from './operationSets.ts';

/** One client version's trusted operations. */
export interface Manifest {
  client: string;
  version: string;
  operations: ManifestOperation[];
  publishedBy: string;
  publishedAt: Date;
}

export type ManifestSummary = Omit<Manifest, 'operations'> & { operations: number };

/** What gateways report: one operation a client sent, and how often since the last report. */
export interface UsageEntry {
  id: string;
  name: string | null;
  body: string;
  client: string;
  count: number;
}

export interface OperationStore {
  /** Stores (or replaces) the manifest of one client version. */
  publish(manifest: Manifest): Promise<void>;
  /** False when no such manifest was published. */
  remove(client: string, version: string): Promise<boolean>;
  manifests(): Promise<ManifestSummary[]>;
  /** Every published operation, once, for the gateways; `etag` changes whenever the set does. */
  persisted(): Promise<{ etag: string; operations: Array<{ id: string; body: string }> }>;
  /** The `etag` `persisted()` would give, without reading the operations. */
  persistedEtag(): Promise<string>;
  recordUsage(entries: readonly UsageEntry[], at?: Date): Promise<void>;
  /** Manifest operations and those served within the usage window: what usage-based checks protect. */
  knownOperations(now?: Date): Promise<KnownOperation[]>;
  close(): void;
}

interface ManifestDoc extends Manifest {
  _id: string;
  /** sha256 over the operation ids, so the etag needs no operation bodies. */
  digest: string;
}

interface UsageDoc extends UsageRecord {
  _id: string;
  expiresAt: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * Manifests and reported usage in the registry's database. Gateways poll
 * `persisted()` by etag (a digest of every manifest's id and operation ids,
 * so no counter has to be kept atomically); usage is one document per
 * operation and client, kept `usageDays` after it was last reported.
 * memoryOperationStore.ts is the same in memory.
 */
export async function createOperationStore(db: Db, log: Logger, usageDays = 7): Promise<OperationStore> {
  const manifests: Collection<ManifestDoc> = db.collection<ManifestDoc>('manifests', { writeConcern: { w: 'majority', journal: true } });
  const usage: Collection<UsageDoc> = db.collection<UsageDoc>('operationUsage');
  const expiry: ExpiryIndex = await ensureExpiryIndex(usage, 'expiresAt', log);
  const windowMs = usageDays * DAY_MS;
  const manifestStore = mongoManifests(manifests);
  return {
    ...manifestStore,
    async recordUsage(entries, at = new Date()) {
      for (const entry of entries) await upsertUsage(usage, entry, at, windowMs);
    },
    async knownOperations(now = new Date()) {
      const since = new Date(now.getTime() - windowMs);
      return knownOperationsOf(await manifests.find({}).toArray(), await usage.find({ lastSeen: { $gte: since } }).toArray());
    },
    close: () => expiry.close(),
  };
}

/** The manifest half of the store: publish, remove, list, and what gateways poll. */
function mongoManifests(manifests: Collection<ManifestDoc>): Pick<OperationStore, 'publish' | 'remove' | 'manifests' | 'persisted' | 'persistedEtag'> {
  const keyed = (docs: ReadonlyArray<Pick<ManifestDoc, '_id' | 'digest'>>) => docs.map((d) => ({ key: d._id, digest: d.digest }));
  return {
    async publish(manifest) {
      const { key, digest } = keyedManifest(manifest);
      await manifests.replaceOne({ _id: key }, { digest, ...manifest }, { upsert: true });
    },
    async remove(client, version) {
      return (await manifests.deleteOne({ _id: manifestKey(client, version) })).deletedCount === 1;
    },
    async manifests() {
      return (await manifests.find({}).sort({ client: 1, version: 1 }).toArray()).map(summaryOf);
    },
    async persisted() {
      const docs = await manifests.find({}).toArray();
      return { etag: etagOf(keyed(docs)), operations: persistedOperations(docs) };
    },
    persistedEtag: async () => etagOf(keyed(await manifests.find({}, { projection: { _id: 1, digest: 1 } }).toArray())),
  };
}

async function upsertUsage(usage: Collection<UsageDoc>, entry: UsageEntry, at: Date, windowMs: number, attempt = 0): Promise<void> {
  try {
    await usage.updateOne(
      { _id: `${entry.id}:${entry.client}` },
      {
        $inc: { count: entry.count },
        $set: { lastSeen: at, expiresAt: new Date(at.getTime() + windowMs), name: entry.name },
        $setOnInsert: { id: entry.id, body: entry.body, client: entry.client },
      },
      { upsert: true },
    );
  } catch (error) {
    // Two gateways reporting a new operation at once: the second upsert finds the first's document on retry.
    if (error instanceof MongoServerError && error.code === DUPLICATE_KEY && attempt === 0) return upsertUsage(usage, entry, at, windowMs, 1);
    throw error;
  }
}
