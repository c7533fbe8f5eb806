import { ADMIN_OWNER, ownershipOf } from '../evaluate/subgraphOwnership.ts';
import { createLatestRevisionReader } from './latestRevisionReader.ts';
import type { HistoryEntry, PublishedSubgraph, RegistryStore, Revision } from './registryStore.ts';
import type { RevisionDoc, RevisionRecords, SubgraphRef } from './revisionRecords.ts';
import { createSchemaCache, type SchemaCache } from './schemaCache.ts';

/**
 * Revisions are an insert-only chain (1, 2, …) in `records`: of two racing
 * publishes exactly one becomes the next revision and the other re-checks
 * against it. SDLs are stored once by content hash, so a revision is small
 * and old ones stay readable as history. A head hint saves walking the chain
 * from 1.
 */
export function createRevisionChainStore(records: RevisionRecords): RegistryStore {
  const schemas = createSchemaCache(records);
  const latest = createLatestRevisionReader(records, (doc) => toRevision(doc, schemas));
  return {
    latest,
    append: (previous, next) => appendRevision(records, schemas, previous, next),
    history: async (name) => historyOf(name, await records.revisionsNaming(name)),
  };
}

async function appendRevision(
  records: RevisionRecords,
  schemas: SchemaCache,
  previous: number,
  next: Omit<Revision, 'revision'>,
): Promise<Revision | 'conflict'> {
  const refs = await Promise.all(next.subgraphs.map(async (s) => toRef(s, await schemas.store(s.sdl))));
  const doc: RevisionDoc = { _id: previous + 1, subgraphs: refs, supergraphHash: await schemas.store(next.supergraphSdl), change: next.change };
  if (!(await records.insertRevision(doc))) return 'conflict';
  // A lagging hint only costs the next reader a few lookups.
  await records.writeHead(doc._id).catch(() => undefined);
  return { revision: doc._id, ...next };
}

function toRef(subgraph: PublishedSubgraph, schemaHash: string): SubgraphRef {
  return {
    name: subgraph.name,
    url: subgraph.url,
    schemaHash,
    owner: subgraph.owner,
    kind: subgraph.kind,
    publishedBy: subgraph.publishedBy,
    publishedAt: subgraph.publishedAt,
    revision: subgraph.revision,
  };
}

async function toRevision(doc: RevisionDoc, schemas: SchemaCache): Promise<Revision> {
  return {
    revision: doc._id,
    subgraphs: await Promise.all(doc.subgraphs.map(async (ref) => toSubgraph(ref, await schemas.read(ref.schemaHash)))),
    supergraphSdl: await schemas.read(doc.supergraphHash),
    change: doc.change,
  };
}

function toSubgraph(ref: SubgraphRef, sdl: string): PublishedSubgraph {
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
}

/** One entry per change to `name`, and per seed that held it. */
function historyOf(name: string, docs: readonly RevisionDoc[]): HistoryEntry[] {
  return docs.flatMap((doc) => {
    const ref = doc.subgraphs.find((s) => s.name === name);
    if (doc.change.action === 'seed' && !ref) return [];
    return [{ revision: doc._id, action: doc.change.action, by: doc.change.by, at: doc.change.at, url: ref?.url ?? null, schemaHash: ref?.schemaHash ?? null }];
  });
}
