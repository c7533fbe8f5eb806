import { context } from '@opentelemetry/api';
import { withSpan } from '../../../lib/tracing/tracer.ts';
import type { CachedPage } from './crawlCache.ts';
import { crawlPage } from './crawlPage.ts';
import { sharedPageReader } from './createPageReader.ts';
import type { MallSearchOptions } from './createMallSearch.ts';
import type { MallPageStore } from './mallPageStore.ts';
import type { ExtractedPage } from './siteDescription.ts';
import { waitForReplicaCrawl } from './waitForReplicaCrawl.ts';

export interface Crawled {
  page: CachedPage;
  from: 'cache' | 'crawl';
}

/** Reads one search page of the site; crawlPage.ts by default. */
export type PageSource = (keyword: string, pageNumber: number) => Promise<ExtractedPage>;

/**
 * Loads a page this process does not hold: from the crawl cache when fresh
 * there, else (with leases) after the replica already crawling it, else from
 * the site under its limits, storing the result for the other replicas.
 */
export function createPageCrawler(options: MallSearchOptions, pages: MallPageStore): (key: string, keyword: string, pageNumber: number) => Promise<Crawled> {
  const { site, log } = options;
  const crawlOptions = { fetch: options.fetch, reader: options.reader ?? sharedPageReader(), linkOrigins: options.linkOrigins };
  const source: PageSource = options.source ?? ((keyword, pageNumber) => crawlPage(site, keyword, pageNumber, crawlOptions));
  const wait = options.leases && { leases: options.leases, pages, budgetMs: options.fetch.budgetMs, mallId: site.id, log };

  const fromSite = async (key: string, keyword: string, pageNumber: number, holding: boolean): Promise<Crawled> => {
    // Never rejects: a lease left behind runs out by itself.
    const release = () => {
      if (holding) options.leases!.release(key).catch(() => undefined);
    };
    const fetchedAt = new Date();
    let extracted: ExtractedPage;
    try {
      // Bound to this crawl's trace: the limiter may start the job from another request's callback.
      extracted = await withSpan('mall.crawl', { 'gatehouse.page': pageNumber }, () =>
        options.limiter.schedule(context.bind(context.active(), () => source(keyword, pageNumber))),
      );
    } catch (error) {
      release();
      throw error;
    }
    const page = { ...extracted, fetchedAt };
    pages.remember(key, page);
    // Written behind the answer: this process already holds the page in memory,
    // and the shopper need not wait for the database. The lease goes once the
    // page is there for the replicas waiting on it (`store` logs its own failure).
    pages.store(keyword, pageNumber, extracted, fetchedAt).then(release, release);
    return { page, from: 'crawl' };
  };

  return async (key, keyword, pageNumber) => {
    const hit = await pages.read(keyword, pageNumber);
    if (pages.isFresh(hit)) {
      pages.remember(key, hit);
      return { page: hit, from: 'cache' };
    }
    if (!wait) return fromSite(key, keyword, pageNumber, false);
    const elsewhere = await waitForReplicaCrawl(wait, key, keyword, pageNumber);
    if ('holding' in elsewhere) return fromSite(key, keyword, pageNumber, elsewhere.holding);
    options.observer?.crawlShared('replica');
    pages.remember(key, elsewhere);
    return { page: elsewhere, from: 'cache' };
  };
}
