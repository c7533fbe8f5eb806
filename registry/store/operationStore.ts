import { createHash } from 'node:crypto';
import { MongoServerError, type Collection, type Db } from 'mongodb';
import { ensureExpiryIndex, type ExpiryIndex } from '../../lib/mongo/expiryIndex.ts';
import type { Logger } from '../../lib/log.ts';
import type { KnownOperation } from '../evaluate/usageCheck.ts';
import type { ManifestOperation } from '../operations/parseManifest.ts';

/** One client version's trusted operations. */
export interface Manifest {
  client: string;
  version: string;
  operations: ManifestOperation[];
  publishedBy: string;
  publishedAt: Date;
}

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
  manifests(): Promise<Array<Omit<Manifest, 'operations'> & { operations: number }>>;
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

interface UsageDoc {
  _id: string;
  id: string;
  name: string | null;
  body: string;
  client: string;
  count: number;
  lastSeen: Date;
  expiresAt: Date;
}

const DUPLICATE_KEY = 11000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Manifests and reported usage in the registry's database. Gateways poll
 * `persisted()` by etag (a digest of every manifest's id and operation ids,
 * so no counter has to be kept atomically); usage is one document per
 * operation and client, kept `usageDays` after it was last reported.
 */
export async function createOperationStore(db: Db, log: Logger, usageDays = 7): Promise<OperationStore> {
  const manifests: Collection<ManifestDoc> = db.collection<ManifestDoc>('manifests', { writeConcern: { w: 'majority', journal: true } });
  const usage: Collection<UsageDoc> = db.collection<UsageDoc>('operationUsage');
  const expiry: ExpiryIndex = await ensureExpiryIndex(usage, 'expiresAt', log);
  const windowMs = usageDays * DAY_MS;

  const persistedEtag = async () => {
    const docs = await manifests.find({}, { projection: { _id: 1, digest: 1 } }).toArray();
    return `"${sha256(
      docs
        .map((d) => `${d._id}:${d.digest}`)
        .sort()
        .join('\n'),
    )}"`;
  };

  const upsertUsage = async (entry: UsageEntry, at: Date, attempt = 0): Promise<void> => {
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
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY && attempt === 0) return upsertUsage(entry, at, 1);
      throw error;
    }
  };

  return {
    async publish(manifest) {
      const _id = `${manifest.client}@${manifest.version}`;
      const digest = sha256(
        manifest.operations
          .map((o) => o.id)
          .sort()
          .join('\n'),
      );
      await manifests.replaceOne({ _id }, { digest, ...manifest }, { upsert: true });
    },
    async remove(client, version) {
      return (await manifests.deleteOne({ _id: `${client}@${version}` })).deletedCount === 1;
    },
    async manifests() {
      const docs = await manifests.find({}).sort({ client: 1, version: 1 }).toArray();
      return docs.map((d) => ({
        client: d.client,
        version: d.version,
        operations: d.operations.length,
        publishedBy: d.publishedBy,
        publishedAt: d.publishedAt,
      }));
    },
    async persisted() {
      const docs = await manifests.find({}).toArray();
      const byId = new Map<string, string>();
      for (const doc of docs) for (const operation of doc.operations) byId.set(operation.id, operation.body);
      return {
        etag: `"${sha256(
          docs
            .map((d) => `${d._id}:${d.digest}`)
            .sort()
            .join('\n'),
        )}"`,
        operations: [...byId].map(([id, body]) => ({ id, body })),
      };
    },
    persistedEtag,
    async recordUsage(entries, at = new Date()) {
      for (const entry of entries) await upsertUsage(entry, at);
    },
    async knownOperations(now = new Date()) {
      const known = new Map<string, KnownOperation>();
      const add = (id: string, name: string | null, body: string, client: string) => {
        const entry = known.get(id) ?? { id, name, body, clients: [] };
        entry.clients.push(client);
        known.set(id, entry);
      };
      for (const doc of await manifests.find({}).toArray()) {
        for (const operation of doc.operations) add(operation.id, operation.name, operation.body, `${doc.client} ${doc.version} (manifest)`);
      }
      const since = new Date(now.getTime() - windowMs);
      for (const doc of await usage.find({ lastSeen: { $gte: since } }).toArray()) {
        add(doc.id, doc.name, doc.body, `${doc.client} (served ${doc.count} time${doc.count === 1 ? '' : 's'}, last ${doc.lastSeen.toISOString()})`);
      }
      return [...known.values()];
    },
    close: () => expiry.close(),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
