import type { Collection, Db } from 'mongodb';
import type { Logger } from '../../../lib/log.ts';
import { ensureExpiryIndex, type ExpiryIndex } from '../../../lib/mongo/expiryIndex.ts';
import type { CrawledOffer, ExtractedPage } from './siteDescription.ts';

export interface CachedPage extends ExtractedPage {
  fetchedAt: Date;
}

interface PageDocument {
  _id: string;
  keyword: string;
  page: number;
  offers: CrawledOffer[];
  hasNextPage: boolean;
  fetchedAt: Date;
  expireAt: Date;
}

export interface CrawlCache {
  get(keyword: string, page: number): Promise<CachedPage | null>;
  put(keyword: string, page: number, result: ExtractedPage, fetchedAt: Date): Promise<void>;
  close(): void;
}

/**
 * Crawl results per (keyword, page) in the mall's own database. Entries are
 * kept for `retainMs` so a failing site can still be answered from stale data.
 * memoryCrawlCache.ts keeps them the same way in memory, for tests.
 */
export async function createCrawlCache(db: Db, options: { retainMs: number; log: Logger }): Promise<CrawlCache> {
  const pages: Collection<PageDocument> = db.collection<PageDocument>('pages');
  const expiry: ExpiryIndex = await ensureExpiryIndex(pages, 'expireAt', options.log);
  return {
    async get(keyword, page) {
      const document = await pages.findOne({ _id: pageKey(keyword, page) });
      if (!document || document.expireAt.getTime() <= Date.now()) return null;
      return { offers: document.offers, hasNextPage: document.hasNextPage, fetchedAt: document.fetchedAt };
    },
    async put(keyword, page, result, fetchedAt) {
      const document: PageDocument = {
        _id: pageKey(keyword, page),
        keyword,
        page,
        offers: result.offers,
        hasNextPage: result.hasNextPage,
        fetchedAt,
        expireAt: new Date(fetchedAt.getTime() + options.retainMs),
      };
      await pages.replaceOne({ _id: document._id }, document, { upsert: true });
    },
    close: () => expiry.close(),
  };
}

function pageKey(keyword: string, page: number): string {
  return `${page}:${keyword}`;
}
