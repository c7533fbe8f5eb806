import { decodePage } from './decodePage.ts';
import { buildSearchUrl, extractOffers } from './extractOffers.ts';
import { fetchPage, type FetchPageOptions } from './fetchPage.ts';
import type { ExtractedPage, SiteDescription } from './siteDescription.ts';

/** One search page from the site: fetch, decode its charset, read the offers. */
export async function crawlPage(
  site: SiteDescription,
  keyword: string,
  page: number,
  options: FetchPageOptions,
): Promise<ExtractedPage> {
  const url = buildSearchUrl(site, keyword, page);
  const fetched = await fetchPage(url, options);
  return extractOffers(decodePage(fetched.body, fetched.contentType), site, fetched.url);
}
