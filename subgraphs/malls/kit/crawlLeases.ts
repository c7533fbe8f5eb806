import { randomUUID } from 'node:crypto';
import { MongoServerError, type Db } from 'mongodb';
import type { Logger } from '../../../lib/log.ts';
import { ensureExpiryIndex, type ExpiryIndex } from '../../../lib/mongo/expiryIndex.ts';

export interface CrawlLeases {
  /** Takes the lease on `key` for `ms`; false while another replica holds a live one. */
  acquire(key: string, ms: number): Promise<boolean>;
  /** Gives up this replica's lease on `key` (someone else's is left alone). */
  release(key: string): Promise<void>;
}

interface LeaseDoc {
  _id: string;
  holder: string;
  until: Date;
}

const DUPLICATE_KEY = 11000;

/**
 * Removes leases once they run out (a TTL index, or a sweeper on FerretDB), so
 * those of replicas that died do not pile up waiting for their page to be
 * searched again.
 */
export function expireCrawlLeases(db: Db, log: Logger, sweepIntervalMs?: number): Promise<ExpiryIndex> {
  return ensureExpiryIndex(db.collection<LeaseDoc>('crawlLeases'), 'until', log, sweepIntervalMs);
}

/**
 * Which replica of a mall is crawling a page right now, in the mall's own
 * database, so identical cold searches on several replicas cost the site one
 * request, as they do within one process. A lease is "insert or fail" (the
 * one atomic step FerretDB has too) and runs out by itself, so a replica
 * that dies mid-crawl holds nobody up for longer than its fetch budget.
 * memoryCrawlLeases.ts keeps leases by the same rules in memory, for tests.
 */
export function createCrawlLeases(db: Db, holder: string = randomUUID()): CrawlLeases {
  const leases = db.collection<LeaseDoc>('crawlLeases');
  const insert = async (key: string, ms: number) => {
    try {
      await leases.insertOne({ _id: key, holder, until: new Date(Date.now() + ms) });
      return true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
  };
  return {
    async acquire(key, ms) {
      if (await insert(key, ms)) return true;
      const current = await leases.findOne({ _id: key });
      if (current && current.until.getTime() > Date.now()) return false;
      // Expired (its holder died or hung): remove exactly that one, then race for it like anyone.
      if (current) await leases.deleteOne({ _id: key, holder: current.holder, until: current.until });
      return insert(key, ms);
    },
    async release(key) {
      await leases.deleteOne({ _id: key, holder });
    },
  };
}
