import { MongoServerError, type Db } from 'mongodb';
import { packEvents, unpackEvents } from './packedEvents.ts';
import { KEPT_CHECKPOINTS, type Checkpoint, type Checkpoints } from './approvalStorage.ts';
import type { PairState } from './pairStates.ts';

/** Chunks live in `approvalCheckpoint.<position>`, one collection per checkpoint, so pruning is one drop. */
export const CHECKPOINT_COLLECTION_PREFIX = 'approvalCheckpoint';
/** One small document per complete checkpoint, inserted after all its chunks. */
const MANIFESTS = 'approvalCheckpoints';
const CLAIM_ID = 'claim';
/** About 300 KB per chunk document, far below the 16 MB limit. */
const PAIRS_PER_CHUNK = 5000;
const DUPLICATE_KEY = 11000;

interface ChunkDoc {
  _id: string;
  /** The pairs, packed as events (packedEvents.ts); the claim has none. */
  p?: string;
}
interface ManifestDoc {
  _id: string;
  events: number;
  chunks: number;
  storedAt: Date;
}

/**
 * Checkpoints of the approval store. A checkpoint is a function of the log up
 * to its position, so any replica may write it; a claim (insert-or-fail)
 * keeps two from doing the same work, and the manifest, inserted last, is
 * what makes it count: a writer that dies midway leaves nothing a reader uses.
 */
export function createCheckpoints(db: Db): Checkpoints {
  const durable = { writeConcern: { w: 'majority' as const, journal: true } };
  const manifests = db.collection<ManifestDoc>(MANIFESTS, durable);
  const chunksOf = (position: number) => db.collection<ChunkDoc>(`${CHECKPOINT_COLLECTION_PREFIX}.${padded(position)}`, durable);

  const load = async (manifest: ManifestDoc): Promise<Checkpoint | null> => {
    const position = Number(manifest._id);
    const docs = (await chunksOf(position).find({}).toArray()).filter((doc) => doc.p !== undefined);
    // Fewer chunks than announced: pruned or half-rewritten under us.
    if (docs.length !== manifest.chunks) return null;
    const states: PairState[] = docs.flatMap((doc) => unpackEvents(doc.p ?? '[]'));
    return { position, events: manifest.events, states };
  };

  const prune = async (): Promise<number> => {
    const kept = (await manifests.find({}).toArray()).map((m) => Number(m._id)).sort((a, b) => b - a);
    if (kept.length < KEPT_CHECKPOINTS) return 0;
    const oldestKept = kept[KEPT_CHECKPOINTS - 1]!;
    const collections = await db.listCollections({}, { nameOnly: true }).toArray();
    for (const { name } of collections) {
      if (!name.startsWith(`${CHECKPOINT_COLLECTION_PREFIX}.`)) continue;
      const position = Number(name.slice(CHECKPOINT_COLLECTION_PREFIX.length + 1));
      if (!(position < oldestKept)) continue;
      // Manifest first: a reader never finds a manifest whose chunks are gone for good.
      await manifests.deleteOne({ _id: padded(position) });
      await db
        .collection(name)
        .drop()
        .catch(() => undefined);
    }
    return oldestKept;
  };

  return {
    async latest() {
      const all = (await manifests.find({}).toArray()).sort((a, b) => Number(b._id) - Number(a._id));
      for (const manifest of all) {
        const checkpoint = await load(manifest);
        if (checkpoint) return checkpoint;
      }
      return null;
    },
    async write({ position, events, states }) {
      const chunks = chunksOf(position);
      try {
        await chunks.insertOne({ _id: CLAIM_ID });
      } catch (error) {
        if (isDuplicate(error)) return false;
        throw error;
      }
      const docs: ChunkDoc[] = [];
      for (let start = 0; start < states.length; start += PAIRS_PER_CHUNK) {
        docs.push({ _id: padded(docs.length), p: packEvents(states.slice(start, start + PAIRS_PER_CHUNK)) });
      }
      // One chunk per call: a single large insertMany is one large FerretDB transaction.
      for (const doc of docs) await chunks.insertOne(doc);
      await manifests.insertOne({ _id: padded(position), events, chunks: docs.length, storedAt: new Date() });
      return prune();
    },
  };
}

function isDuplicate(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

function padded(n: number): string {
  return String(n).padStart(12, '0');
}
