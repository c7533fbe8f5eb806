import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { RevisionDoc, RevisionRecords } from './revisionRecords.ts';

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
 * The revision chain in MongoDB (FerretDB): "insert a new `_id` or fail" is
 * the one atomic step every MongoDB-compatible server has (FerretDB's
 * conditional updates are not atomic), so of two racing writers exactly one
 * gets a revision number.
 */
export function createMongoRevisionRecords(db: Db): RevisionRecords {
  const revisions: Collection<RevisionDoc> = db.collection<RevisionDoc>('revisions', { writeConcern: { w: 'majority', journal: true } });
  const schemas: Collection<SchemaDoc> = db.collection<SchemaDoc>('schemas', { writeConcern: { w: 'majority', journal: true } });
  const heads: Collection<HeadDoc> = db.collection<HeadDoc>('head');
  return {
    async insertRevision(doc) {
      try {
        await revisions.insertOne(doc);
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    findRevision: (revision) => revisions.findOne({ _id: revision }),
    revisionsNaming: (name) =>
      revisions
        .find({ $or: [{ 'change.name': name }, { 'change.action': 'seed' }] })
        .sort({ _id: 1 })
        .toArray(),
    async insertSchema(hash, sdl) {
      try {
        await schemas.insertOne({ _id: hash, sdl });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    },
    findSchema: async (hash) => (await schemas.findOne({ _id: hash }))?.sdl ?? null,
    readHead: async () => (await heads.findOne({ _id: 'head' }))?.revision ?? 0,
    async writeHead(revision) {
      await heads.replaceOne({ _id: 'head' }, { revision }, { upsert: true });
    },
  };
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}
