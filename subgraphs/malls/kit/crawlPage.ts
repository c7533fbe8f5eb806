import type { PageReader } from './createPageReader.ts';
import { buildSearchUrl, offersFromRaw } from './extractOffers.ts';
import { fetchPage, type FetchPageOptions } from './fetchPage.ts';
import type { ExtractedPage, SiteDescription } from './siteDescription.ts';
import { siteOrigins } from './siteOrigins.ts';
import { withSpan } from '../../../lib/tracing/tracer.ts';

export interface CrawlPageOptions {
  fetch: FetchPageOptions;
  /** Parses the page off the event loop, within its budgets. */
  reader: PageReader;
  /** Origins besides the site's own that offers may link to (the mall's public homepage). */
  linkOrigins?: readonly string[];
}

/**
 * One search page from the site: fetch it (redirects only within the site),
 * decode and parse it on a reader thread, read the offers.
 */
export async function crawlPage(site: SiteDescription, keyword: string, page: number, options: CrawlPageOptions): Promise<ExtractedPage> {
  const url = buildSearchUrl(site, keyword, page);
  const fetched = await fetchPage(url, { ...options.fetch, allowedOrigins: siteOrigins(site) });
  const raw = await withSpan('mall.parse', { 'gatehouse.page.bytes': fetched.body.byteLength }, () =>
    options.reader.read(fetched.body, fetched.contentType, site.selectors),
  );
  return offersFromRaw(raw, site, fetched.url, options.linkOrigins);
}
