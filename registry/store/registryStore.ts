import { createHash } from 'node:crypto';
import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { SubgraphDefinition } from '../../composition/subgraphDefinition.ts';
import { ADMIN_OWNER, ownershipOf, type SubgraphOwnership } from '../evaluate/subgraphOwnership.ts';

export interface PublishedSubgraph extends SubgraphDefinition, SubgraphOwnership {
  publishedBy: string;
  publishedAt: Date;
  /** The registry revision that last published it. */
  revision: number;
}

export interface RevisionChange {
  action: 'publish' | 'delete' | 'seed';
  /** The subgraph published or deleted (none for a seed). */
  name: string | null;
  by: string;
  at: Date;
}

/** One state of the registry: every subgraph and the supergraph they compose to. */
export interface Revision {
  revision: number;
  subgraphs: PublishedSubgraph[];
  supergraphSdl: string;
  change: RevisionChange;
}

export interface HistoryEntry {
  revision: number;
  action: RevisionChange['action'];
  by: string;
  at: Date;
  /** What the subgraph looked like after the change (absent for a delete). */
  url: string | null;
  schemaHash: string | null;
}

export interface RegistryStore {
  latest(): Promise<Revision | null>;
  /** Appends revision `previous + 1`; `conflict` when another writer took it first. */
  append(previous: number, next: Omit<Revision, 'revision'>): Promise<Revision | 'conflict'>;
  history(name: string): Promise<HistoryEntry[]>;
}

interface SubgraphRef extends Partial<SubgraphOwnership> {
  name: string;
  url: string;
  schemaHash: string;
  publishedBy: string;
  publishedAt: Date;
  revision: number;
}
interface RevisionDoc {
  _id: number;
  subgraphs: SubgraphRef[];
  supergraphHash: string;
  change: RevisionChange;
}
interface SchemaDoc {
  _id: string;
  sdl: string;
}
interface HeadDoc {
  _id: 'head';
  revision: number;
}

const DUPLICATE_KEY = 11000;

/**
 * Revisions are an insert-only chain (`_id` 1, 2, …): "insert a new `_id` or
 * fail" is the one atomic step every MongoDB-compatible server has (FerretDB's
 * conditional updates are not atomic), so of two racing publishes exactly one
 * becomes the next revision and the other re-checks against it. SDLs are
 * stored once by content hash, so a revision is small and old ones stay
 * readable as history. A head hint saves walking the chain from 1.
 */
export function createRegistryStore(db: Db): RegistryStore {
  const revisions: Collection<RevisionDoc> = db.collection<RevisionDoc>('revisions', { writeConcern: { w: 'majority', journal: true } });
  const schemas: Collection<SchemaDoc> = db.collection<SchemaDoc>('schemas', { writeConcern: { w: 'majority', journal: true } });
  const heads: Collection<HeadDoc> = db.collection<HeadDoc>('head');
  // SDLs never change under a hash, so a process may keep every one it has read.
  const sdlByHash = new Map<string, string>();
  let newestSeen = 0;

  const storeSchema = async (sdl: string): Promise<string> => {
    const hash = createHash('sha256').update(sdl).digest('hex');
    if (sdlByHash.has(hash)) return hash;
    try {
      await schemas.insertOne({ _id: hash, sdl });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    sdlByHash.set(hash, sdl);
    return hash;
  };

  const readSchema = async (hash: string): Promise<string> => {
    const cached = sdlByHash.get(hash);
    if (cached !== undefined) return cached;
    const doc = await schemas.findOne({ _id: hash });
    if (!doc) throw new Error(`registry database is missing schema ${hash}; restore it from a backup`);
    sdlByHash.set(hash, doc.sdl);
    return doc.sdl;
  };

  const toRevision = async (doc: RevisionDoc): Promise<Revision> => ({
    revision: doc._id,
    subgraphs: await Promise.all(
      doc.subgraphs.map(async (ref) => {
        const sdl = await readSchema(ref.schemaHash);
        return {
          name: ref.name,
          url: ref.url,
          sdl,
          // Revisions from before owners were recorded: a team's publish names it, the SDL tells the kind.
          owner: ref.owner ?? /^team (\S+)/.exec(ref.publishedBy)?.[1] ?? ADMIN_OWNER,
          kind: ref.kind ?? ownershipOf(sdl, { kind: 'admin' }).kind,
          publishedBy: ref.publishedBy,
          publishedAt: ref.publishedAt,
          revision: ref.revision,
        };
      }),
    ),
    supergraphSdl: await readSchema(doc.supergraphHash),
    change: doc.change,
  });

  let cachedLatest: Revision | null = null;

  const readLatest = async (): Promise<Revision | null> => {
    if (newestSeen === 0) newestSeen = (await heads.findOne({ _id: 'head' }))?.revision ?? 0;
    let doc: RevisionDoc | null = null;
    for (;;) {
      const next = await revisions.findOne({ _id: newestSeen + 1 });
      if (!next) break;
      doc = next;
      newestSeen = next._id;
    }
    if (doc) cachedLatest = await toRevision(doc);
    else if (!cachedLatest && newestSeen > 0) {
      const current = await revisions.findOne({ _id: newestSeen });
      cachedLatest = current ? await toRevision(current) : null;
    }
    return cachedLatest;
  };
  // One read at a time: two interleaved ones share `newestSeen`, and one could
  // return the previous revision while the other is still loading the new one
  // (a gateway would then take a new revision's notice for "nothing new").
  // A caller arriving during a read waits for the next, which starts after its call.
  let running: Promise<Revision | null> | null = null;
  let queued: Promise<Revision | null> | null = null;
  const latest = (): Promise<Revision | null> => {
    if (!running) {
      running = readLatest().finally(() => (running = null));
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return latest();
      });
    return queued;
  };

  return {
    latest,

    async append(previous, next) {
      const refs = await Promise.all(
        next.subgraphs.map(async (s) => ({
          name: s.name,
          url: s.url,
          schemaHash: await storeSchema(s.sdl),
          owner: s.owner,
          kind: s.kind,
          publishedBy: s.publishedBy,
          publishedAt: s.publishedAt,
          revision: s.revision,
        })),
      );
      const doc: RevisionDoc = { _id: previous + 1, subgraphs: refs, supergraphHash: await storeSchema(next.supergraphSdl), change: next.change };
      try {
        await revisions.insertOne(doc);
      } catch (error) {
        if (isDuplicateKey(error)) return 'conflict';
        throw error;
      }
      // A lagging hint only costs the next reader a few lookups.
      await heads.replaceOne({ _id: 'head' }, { revision: doc._id }, { upsert: true }).catch(() => undefined);
      return { revision: doc._id, ...next };
    },

    async history(name) {
      const docs = await revisions
        .find({ $or: [{ 'change.name': name }, { 'change.action': 'seed' }] })
        .sort({ _id: 1 })
        .toArray();
      return docs.flatMap((doc) => {
        const ref = doc.subgraphs.find((s) => s.name === name);
        if (doc.change.action === 'seed' && !ref) return [];
        return [
          { revision: doc._id, action: doc.change.action, by: doc.change.by, at: doc.change.at, url: ref?.url ?? null, schemaHash: ref?.schemaHash ?? null },
        ];
      });
    },
  };
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}
