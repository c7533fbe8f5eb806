import type { RevisionDoc, RevisionRecords } from './revisionRecords.ts';

export interface MemoryRevisionRecords extends RevisionRecords {
  /** Every stored schema by hash, for tests to count. */
  readonly schemas: ReadonlyMap<string, string>;
}

/**
 * The revision chain in this process's memory, with the same insert-or-fail
 * rule as the database: several registry stores over one of these behave as
 * registry replicas over one database. Documents are copied in and out, so a
 * caller changing what it passed or got changes nothing stored.
 */
export function createMemoryRevisionRecords(): MemoryRevisionRecords {
  const revisions = new Map<number, RevisionDoc>();
  const schemas = new Map<string, string>();
  let head = 0;
  return {
    schemas,
    insertRevision(doc) {
      if (revisions.has(doc._id)) return Promise.resolve(false);
      revisions.set(doc._id, structuredClone(doc));
      return Promise.resolve(true);
    },
    findRevision(revision) {
      const doc = revisions.get(revision);
      return Promise.resolve(doc ? structuredClone(doc) : null);
    },
    revisionsNaming(name) {
      const named = [...revisions.values()].filter((doc) => doc.change.name === name || doc.change.action === 'seed');
      return Promise.resolve(named.sort((a, b) => a._id - b._id).map((doc) => structuredClone(doc)));
    },
    insertSchema(hash, sdl) {
      if (!schemas.has(hash)) schemas.set(hash, sdl);
      return Promise.resolve();
    },
    findSchema: (hash) => Promise.resolve(schemas.get(hash) ?? null),
    readHead: () => Promise.resolve(head),
    writeHead(revision) {
      head = revision;
      return Promise.resolve();
    },
  };
}
