/**
 * Reads offers out of a mall's search page with the site's selectors, and
 * builds the search URL the page comes from.
 */
import * as cheerio from 'cheerio';
import type { Cheerio, CheerioAPI } from 'cheerio';
import iconv from 'iconv-lite';
import type { CrawledOffer, ExtractedPage, SiteDescription } from './siteDescription.ts';

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

/** A parsed node, named through cheerio so the kit does not depend on its parser's packages. */
type AnyNode = Exclude<Parameters<typeof cheerio.load>[0], string | Buffer | readonly unknown[]>;

/** Bounds so one hostile or broken page cannot flood the cache or the response. */
const MAX_ITEMS_PER_PAGE = 500;
const MAX_TITLE_CHARS = 300;
const MAX_URL_CHARS = 2048;
/**
 * Parsing and selecting both slow down quadratically with nesting depth (a
 * 1 MB page of unclosed tags takes minutes), so deeper pages are refused
 * before parsing. Real pages stay below 100; Chromium's parser caps the tree at 512.
 */
const MAX_NESTING = 1000;
/** Text in these is never part of what a shopper sees as the title. */
const NON_TEXT = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object']);

/**
 * Offers on one search page. The no-results marker wins over items (a page
 * saying "nothing found, maybe you like…" has found nothing). Items missing a
 * title, link or price are skipped; a page with neither items nor the marker,
 * or whose items all lack them, throws SiteLayoutError.
 *
 * `model`: the text (or `modelAttribute`) of `selectors.model` inside the
 * item; with only `modelAttribute`, that attribute of the item itself; with
 * neither, the title. It is read through `parseModel`.
 */
export function extractOffers(html: string | CheerioAPI, site: SiteDescription, pageUrl: string): ExtractedPage {
  if (typeof html === 'string' && nestingDepth(html, MAX_NESTING) > MAX_NESTING) {
    throw new SiteLayoutError(
      site.id,
      `${site.id}: the search page nests elements more than ${MAX_NESTING} deep, which no search page does; the site layout may have changed`,
    );
  }
  const $ = typeof html === 'string' ? cheerio.load(html) : html;
  const { selectors } = site;

  if ($(selectors.noResults).length > 0) return { offers: [], hasNextPage: false };

  const items = $(selectors.item);
  if (items.length === 0) {
    throw new SiteLayoutError(
      site.id,
      `${site.id}: the search page has neither result items (${selectors.item}) nor a no-results marker (${selectors.noResults}); the site layout may have changed`,
    );
  }

  const offers: CrawledOffer[] = [];
  items.slice(0, MAX_ITEMS_PER_PAGE).each((_, element) => {
    const offer = readItem($(element), site, pageUrl);
    if (offer) offers.push(offer);
  });
  if (offers.length === 0) {
    throw new SiteLayoutError(
      site.id,
      `${site.id}: none of the ${items.length} result items (${selectors.item}) has a title (${selectors.title}), link (${selectors.link}) and price (${selectors.price}); the site layout may have changed`,
    );
  }
  const hasNextPage = selectors.nextPage ? $(selectors.nextPage).length > 0 : false;
  return { offers, hasNextPage };
}

function readItem(item: Cheerio<AnyNode>, site: SiteDescription, pageUrl: string): CrawledOffer | null {
  const { selectors } = site;
  const title = truncate(visibleText(item.find(selectors.title).first().get(0)), MAX_TITLE_CHARS);
  if (!title) return null;

  const priceElement = item.find(selectors.price).first().get(0);
  const price = priceElement ? site.parsePrice(visibleText(priceElement)) : null;
  if (price === null) return null;

  const url = resolveUrl(item.find(selectors.link).first().attr('href'), pageUrl);
  if (!url) return null;

  let imageUrl: string | null = null;
  if (selectors.image) {
    const image = item.find(selectors.image).first();
    imageUrl = resolveUrl(image.attr(selectors.imageAttribute ?? 'src'), pageUrl) ?? resolveUrl(image.attr('src'), pageUrl);
  }

  let modelText: string | undefined;
  if (selectors.model) {
    const holder = item.find(selectors.model).first();
    modelText = selectors.modelAttribute ? holder.attr(selectors.modelAttribute) : holder.length ? visibleText(holder.get(0)) : undefined;
  } else if (selectors.modelAttribute) {
    modelText = item.attr(selectors.modelAttribute);
  } else {
    modelText = title;
  }
  const model = modelText ? site.parseModel(modelText) : null;

  return { title, price, currency: 'KRW', url, imageUrl, model };
}

/** At most `max` UTF-16 units, never splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max).trim();
}

/** Text a shopper would see: script and style contents dropped, whitespace collapsed. */
function visibleText(node: AnyNode | undefined): string {
  if (!node) return '';
  const parts: string[] = [];
  // An explicit stack: hostile pages nest deep enough to overflow recursion.
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (!current) break;
    if (current.nodeType === 3) parts.push(current.data);
    else if ('children' in current && !('name' in current && NON_TEXT.has(current.name))) {
      for (let i = current.children.length - 1; i >= 0; i--) {
        const child = current.children[i];
        if (child) stack.push(child);
      }
    }
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}

const VOID_ELEMENTS = new Set(
  'area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr'.split(' '),
);
/** Elements whose end tag is optional: sloppy pages leave them open without nesting deeper. */
const OPTIONAL_END = new Set('p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rb rt rp html head body'.split(' '));
/**
 * Comments, raw-text elements, then tags. Attribute runs stop at `<` so an
 * unterminated tag cannot make the scan quadratic.
 */
const MARKUP =
  /<!--[\s\S]*?(?:-->|$)|<(script|style|textarea|title|xmp|noscript|plaintext)\b[^<>]*>[\s\S]*?(?:<\/\1\s*>|$)|<(\/?)([A-Za-z][^\s/<>]*)([^<>]*)>/gi;

/**
 * An estimate of the deepest element nesting, in one linear pass: end tags
 * close up to the matching open element as parsers do; stray ones are ignored.
 * Stops counting once past `limit`.
 */
function nestingDepth(html: string, limit: number): number {
  const stack: string[] = [];
  const open = new Map<string, number>();
  let deepest = 0;
  MARKUP.lastIndex = 0;
  for (let match = MARKUP.exec(html); match; match = MARKUP.exec(html)) {
    const name = match[3]?.toLowerCase();
    if (!name || VOID_ELEMENTS.has(name) || OPTIONAL_END.has(name)) continue;
    if (match[2] === '/') {
      if (!open.get(name)) continue;
      // Amortised linear: every element is popped at most once.
      for (let popped = stack.pop(); popped !== undefined; popped = stack.pop()) {
        open.set(popped, (open.get(popped) ?? 1) - 1);
        if (popped === name) break;
      }
    } else if (!match[4]?.trimEnd().endsWith('/')) {
      stack.push(name);
      open.set(name, (open.get(name) ?? 0) + 1);
      deepest = Math.max(deepest, stack.length);
      if (deepest > limit) break;
    }
  }
  return deepest;
}

/** An absolute http(s) URL, or null for missing, `javascript:`, `data:` and unparsable links. */
function resolveUrl(href: string | undefined, base: string): string | null {
  const trimmed = href?.trim();
  if (!trimmed || trimmed.length > MAX_URL_CHARS) return null;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
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
  const path = site.searchPath
    .replace(/\{keyword\}/g, () => encodeKeyword(keyword, site.queryEncoding))
    .replace(/\{page\}/g, String(page));
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
      out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) && byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}
