/**
 * Reads the raw strings of a search page's result items with the site's
 * selectors: plain data, so it can run on a worker thread, where the site's
 * functions (`parsePrice`, `parseModel`) cannot go. `extractOffers` turns the
 * strings into offers.
 */
import * as cheerio from 'cheerio';
import type { Cheerio, CheerioAPI } from 'cheerio';
import { parseHtmlWithBudget, PARSE_BUDGET, type ParseBudget } from './parseHtmlWithBudget.ts';
import type { SiteSelectors } from './siteDescription.ts';

/** One result item as the page has it; a missing element or attribute is undefined. */
export interface RawItem {
  title: string;
  priceText?: string;
  href?: string;
  /** The image's `imageAttribute` (or `src`), then its `src` as a fallback. */
  imageSources: string[];
  modelText?: string;
}

export interface RawSearchPage {
  noResults: boolean;
  /** Result items on the page, those without a title included. */
  itemCount: number;
  /** The first MAX_ITEMS_PER_PAGE items that have a title. */
  items: RawItem[];
  hasNextPage: boolean;
}

/** A parsed node, named through cheerio so the kit does not depend on its parser's packages. */
type AnyNode = Exclude<Parameters<typeof cheerio.load>[0], string | Buffer | readonly unknown[]>;

/** Bounds so one hostile or broken page cannot flood the cache or the response. */
export const MAX_ITEMS_PER_PAGE = 500;
const MAX_TITLE_CHARS = 300;
/** Longer than any price or model text; longer links are no links. */
const MAX_TEXT_CHARS = 500;
export const MAX_URL_CHARS = 2048;
/** Text in these is never part of what a shopper sees as the title. */
const NON_TEXT = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object']);

/** Parses `html` within `budget` (PageTooComplexError past it) and reads its items. */
export function readSearchPage(html: string | CheerioAPI, selectors: SiteSelectors, budget: ParseBudget = PARSE_BUDGET): RawSearchPage {
  const $ = typeof html === 'string' ? cheerio.load(parseHtmlWithBudget(html, budget)) : html;
  if ($(selectors.noResults).length > 0) return { noResults: true, itemCount: 0, items: [], hasNextPage: false };
  const found = $(selectors.item);
  const items: RawItem[] = [];
  found.slice(0, MAX_ITEMS_PER_PAGE).each((_, element) => {
    const item = readItem($(element), selectors);
    if (item) items.push(item);
  });
  const hasNextPage = selectors.nextPage ? $(selectors.nextPage).length > 0 : false;
  return { noResults: false, itemCount: found.length, items, hasNextPage };
}

function readItem(item: Cheerio<AnyNode>, selectors: SiteSelectors): RawItem | null {
  const title = truncate(visibleText(item.find(selectors.title).first().get(0)), MAX_TITLE_CHARS);
  if (!title) return null;
  const priceElement = item.find(selectors.price).first().get(0);
  const raw: RawItem = {
    title,
    priceText: priceElement ? truncate(visibleText(priceElement), MAX_TEXT_CHARS) : undefined,
    href: bounded(item.find(selectors.link).first().attr('href'), MAX_URL_CHARS),
    imageSources: [],
  };
  if (selectors.image) {
    const image = item.find(selectors.image).first();
    for (const source of [image.attr(selectors.imageAttribute ?? 'src'), image.attr('src')]) {
      const bound = bounded(source, MAX_URL_CHARS);
      if (bound !== undefined) raw.imageSources.push(bound);
    }
  }
  if (selectors.model) {
    const holder = item.find(selectors.model).first();
    const text = selectors.modelAttribute ? holder.attr(selectors.modelAttribute) : holder.length ? visibleText(holder.get(0)) : undefined;
    raw.modelText = text === undefined ? undefined : truncate(text, MAX_TEXT_CHARS);
  } else if (selectors.modelAttribute) {
    raw.modelText = bounded(item.attr(selectors.modelAttribute), MAX_TEXT_CHARS);
  } else {
    raw.modelText = title;
  }
  return raw;
}

function bounded(value: string | undefined, max: number): string | undefined {
  return value === undefined || value.length > max ? undefined : value;
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
