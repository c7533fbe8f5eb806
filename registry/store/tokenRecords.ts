import type { Collection, Db } from 'mongodb';

/** A team token as the registry remembers it: everything but the token itself. */
export interface TokenRecord {
  id: string;
  team: string;
  subgraphs: string[];
  /** Coordinates beyond a mall the token may contribute (absent in records from before grants). */
  contributes?: string[];
  issuedBy: string;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
}

export interface TokenRecords {
  add(record: Omit<TokenRecord, 'revokedAt' | 'revokedBy'>): Promise<void>;
  find(id: string): Promise<TokenRecord | null>;
  /** Tokens that still work: not revoked, not expired. */
  active(now?: Date): Promise<TokenRecord[]>;
  /** Revokes `id` (a second revoke keeps the first's time); null when no such token was issued. */
  revoke(id: string, by: string): Promise<TokenRecord | null>;
  /** Forgets tokens that expired before `before`; they can no longer be used anyway. */
  forgetExpired(before: Date): Promise<number>;
}

interface TokenDoc extends Omit<TokenRecord, 'id'> {
  _id: string;
}

/**
 * The team tokens this registry issued, in its database, so any one of them
 * can be revoked and every registry replica refuses it at once. The token
 * itself is never stored: a leaked database grants nothing.
 */
export function createTokenRecords(db: Db): TokenRecords {
  const tokens: Collection<TokenDoc> = db.collection<TokenDoc>('teamTokens');
  const toRecord = ({ _id, ...rest }: TokenDoc): TokenRecord => ({ id: _id, ...rest });
  return {
    async add({ id, ...rest }) {
      await tokens.insertOne({ _id: id, ...rest, revokedAt: null, revokedBy: null });
    },
    async find(id) {
      const doc = await tokens.findOne({ _id: id });
      return doc ? toRecord(doc) : null;
    },
    async active(now = new Date()) {
      const docs = await tokens
        .find({ revokedAt: null, expiresAt: { $gt: now } })
        .sort({ issuedAt: 1 })
        .toArray();
      return docs.map(toRecord);
    },
    async revoke(id, by) {
      await tokens.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date(), revokedBy: by } });
      const doc = await tokens.findOne({ _id: id });
      return doc ? toRecord(doc) : null;
    },
    async forgetExpired(before) {
      return (await tokens.deleteMany({ expiresAt: { $lt: before } })).deletedCount;
    },
  };
}
