import { MongoServerError, type Collection, type Document, type Filter } from 'mongodb';
import type { Logger } from '../log.ts';

export interface ExpiryIndex {
  close(): void;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Documents disappear after their `field` date. MongoDB does that with a TTL
 * index; FerretDB 1.x has none, so there a sweeper deletes them instead.
 */
export async function ensureExpiryIndex<T extends Document>(
  collection: Collection<T>,
  field: string,
  log: Logger,
  sweepIntervalMs = SWEEP_INTERVAL_MS,
): Promise<ExpiryIndex> {
  try {
    await collection.createIndex({ [field]: 1 }, { expireAfterSeconds: 0, name: `${field}_ttl` });
    return { close: () => undefined };
  } catch (error) {
    if (!(error instanceof MongoServerError) || error.code !== 238) throw error;
  }
  await collection.createIndex({ [field]: 1 }, { name: `${field}_sweep` });
  log.info(`the database has no TTL indexes (FerretDB); expired ${collection.collectionName} are swept every ${sweepIntervalMs / 1000} s`);
  const timer = setInterval(() => {
    collection.deleteMany({ [field]: { $lt: new Date() } } as Filter<T>).catch((error: Error) => {
      log.warn(`sweeping expired ${collection.collectionName} failed (${error.message}); will retry`);
    });
  }, sweepIntervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
