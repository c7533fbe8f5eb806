/**
 * Reads offers out of a mall's search page with the site's selectors, and
 * builds the search URL the page comes from.
 */
import type { CheerioAPI } from 'cheerio';
import iconv from 'iconv-lite';
import { readSearchPage, type RawItem, type RawSearchPage } from './readSearchPage.ts';
import type { CrawledOffer, ExtractedPage, SiteDescription } from './siteDescription.ts';
import { isOnOrigins, siteOrigins } from './siteOrigins.ts';

/** The page is not what the site description expects: the mall has probably been redesigned. */
export class SiteLayoutError extends Error {
  readonly code = 'LAYOUT_CHANGED';

  constructor(
    readonly siteId: string,
    message: string,
  ) {
    super(message);
    this.name = 'SiteLayoutError';
  }
}

/**
 * Offers on one search page. The no-results marker wins over items (a page
 * saying "nothing found, maybe you like…" has found nothing). Items missing a
 * title, link or price are skipped; a page with neither items nor the marker,
 * or whose items all lack them, throws SiteLayoutError. A page past the
 * parse budget throws PageTooComplexError.
 *
 * Links are kept only as absolute http(s) URLs on the site's origins (its
 * homepage's, `allowedOrigins`, `linkOrigins`): an item whose link points
 * elsewhere is skipped, an image elsewhere becomes null.
 *
 * `model`: the text (or `modelAttribute`) of `selectors.model` inside the
 * item; with only `modelAttribute`, that attribute of the item itself; with
 * neither, the title. It is read through `parseModel`.
 */
export function extractOffers(html: string | CheerioAPI, site: SiteDescription, pageUrl: string, linkOrigins: readonly string[] = []): ExtractedPage {
  return offersFromRaw(readSearchPage(html, site.selectors), site, pageUrl, linkOrigins);
}

/** `extractOffers` for a page whose strings were read elsewhere (on a worker thread). */
export function offersFromRaw(page: RawSearchPage, site: SiteDescription, pageUrl: string, linkOrigins: readonly string[] = []): ExtractedPage {
  const { selectors } = site;
  if (page.noResults) return { offers: [], hasNextPage: false };
  if (page.itemCount === 0) {
    throw new SiteLayoutError(
      site.id,
      `${site.id}: the search page has neither result items (${selectors.item}) nor a no-results marker (${selectors.noResults}); the site layout may have changed`,
    );
  }
  const origins = siteOrigins(site, linkOrigins);
  const offers: CrawledOffer[] = [];
  for (const item of page.items) {
    const offer = readItem(item, site, pageUrl, origins);
    if (offer) offers.push(offer);
  }
  if (offers.length === 0) {
    throw new SiteLayoutError(
      site.id,
      `${site.id}: none of the ${page.itemCount} result items (${selectors.item}) has a title (${selectors.title}), link (${selectors.link}) and price (${selectors.price}); the site layout may have changed`,
    );
  }
  return { offers, hasNextPage: page.hasNextPage };
}

function readItem(item: RawItem, site: SiteDescription, pageUrl: string, origins: ReadonlySet<string>): CrawledOffer | null {
  const price = item.priceText === undefined ? null : site.parsePrice(item.priceText);
  if (price === null) return null;
  const url = siteUrl(item.href, pageUrl, origins);
  if (!url) return null;
  let imageUrl: string | null = null;
  for (const source of item.imageSources) imageUrl ??= siteUrl(source, pageUrl, origins);
  const model = item.modelText ? site.parseModel(item.modelText) : null;
  return { title: item.title, price, currency: 'KRW', url, imageUrl, model };
}

/**
 * An absolute http(s) URL on the site's origins, or null: missing,
 * `javascript:`, `data:`, other hosts (protocol-relative `//host/x`
 * included), credentials and unparsable links.
 */
function siteUrl(href: string | undefined, base: string, origins: ReadonlySet<string>): string | null {
  const trimmed = href?.trim();
  if (!trimmed) return null;
  try {
    const url = new URL(trimmed, base);
    return isOnOrigins(url, origins) ? url.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The URL of one search page: the keyword percent-encoded in the site's
 * `queryEncoding` (EUC-KR sites get EUC-KR bytes), resolved against the homepage.
 */
export function buildSearchUrl(site: SiteDescription, keyword: string, page: number): string {
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`${site.id}: page must be a positive integer, got ${page}`);
  const path = site.searchPath.replace(/\{keyword\}/g, () => encodeKeyword(keyword, site.queryEncoding)).replace(/\{page\}/g, String(page));
  return new URL(path, site.homepage).toString();
}

function encodeKeyword(keyword: string, encoding: SiteDescription['queryEncoding']): string {
  if (encoding === 'utf-8') return encodeURIComponent(keyword);
  let out = '';
  for (const char of keyword) {
    // Browsers submit characters the page's charset lacks as numeric references.
    const bytes = iconv.encode(char, 'euc-kr');
    const encodable = iconv.decode(bytes, 'euc-kr') === char;
    for (const byte of encodable ? bytes : Buffer.from(`&#${char.codePointAt(0) ?? 63};`, 'ascii')) {
      out +=
        /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) && byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}
