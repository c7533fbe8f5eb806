import { randomUUID } from 'node:crypto';
import type { CrawlLeases } from './crawlLeases.ts';

/** The leases every replica of a mall sees: one per page key, with its holder and when it runs out. */
export type LeaseTable = Map<string, { holder: string; until: number }>;

export function createLeaseTable(): LeaseTable {
  return new Map();
}

/**
 * One replica's view of crawl leases kept in memory, with crawlLeases.ts's
 * rules (a live lease refuses everyone, its holder too; a run-out one goes to
 * the next asker): for tests without a database. Replicas are leases over the
 * same `table` with their own `holder`.
 */
export function createMemoryCrawlLeases(table: LeaseTable, holder: string = randomUUID()): CrawlLeases {
  return {
    acquire(key, ms) {
      const current = table.get(key);
      if (current && current.until > Date.now()) return Promise.resolve(false);
      table.set(key, { holder, until: Date.now() + ms });
      return Promise.resolve(true);
    },
    release(key) {
      if (table.get(key)?.holder === holder) table.delete(key);
      return Promise.resolve();
    },
  };
}
