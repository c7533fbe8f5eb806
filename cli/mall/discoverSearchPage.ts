/**
 * Finds how a mall site searches, the way a person would: the search form on
 * its homepage gives the path and the keyword parameter, a pagination link on
 * the first result page gives the page parameter. Whatever cannot be found is
 * a guess, and the scaffold says so beside it.
 */
import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import { buildSearchUrl } from '../../subgraphs/malls/kit/extractOffers.ts';
import type { SiteDescription } from '../../subgraphs/malls/kit/siteDescription.ts';
import { fetchHtml } from './fetchHtml.ts';

export type QueryEncoding = SiteDescription['queryEncoding'];

export interface SearchDiscovery {
  /** A `searchPath` template for the site description, relative to the homepage where it can be. */
  searchPath: string;
  queryEncoding: QueryEncoding;
  /** How `searchPath` came about, for the comment above it; starts with `TODO` when part of it is a guess. */
  searchPathNote: string;
  /** The first result page for the sample keyword, or why there is none. */
  page: { url: string; html: string; charset: string } | { reason: string };
}

export const GUESSED_SEARCH_PATH = 'search?q={keyword}&page={page}';
const GUESSED_PAGE_PARAM = 'page';
/** Input names malls give their search box, to pick the search form among several. */
const KEYWORD_NAME = /^(?:q|query|keyword|keywords|kwd|searchword|search_?word|search_?keyword|search|word|sw|k)$/i;

/** A site that could not be read at all gets a guess; the caller saves a placeholder page. */
export function guessedSearch(reason: string): SearchDiscovery {
  return {
    searchPath: GUESSED_SEARCH_PATH,
    queryEncoding: 'utf-8',
    searchPathNote: "TODO: a guess; put the site's search URL here, with {keyword} and {page} (1-based).",
    page: { reason },
  };
}

export async function discoverSearchPage(homepage: string, keyword: string, timeoutMs: number): Promise<SearchDiscovery> {
  let home;
  try {
    home = await fetchHtml(homepage, timeoutMs);
  } catch (error) {
    return guessedSearch((error as Error).message);
  }
  const queryEncoding: QueryEncoding = home.charset === 'euc-kr' ? 'euc-kr' : 'utf-8';
  const form = findSearchForm(cheerio.load(home.html), home.url);
  if (!form) {
    return { ...guessedSearch(`the homepage ${home.url} has no search form`), queryEncoding };
  }

  const path = relativeTo(homepage, new URL(form.action));
  const keywordQuery = queryString([...form.hidden, [form.keywordParam, '{keyword}']]);
  // What the form submits, built by the kit so the keyword is encoded as it will be at crawl time.
  const firstPage = buildSearchUrl(searchOnlySite(homepage, `${path}?${keywordQuery}`, queryEncoding), keyword, 1);
  const withPage = (pageParam: string) => `${path}?${keywordQuery}&${queryString([[pageParam, '{page}']])}`;
  const guessedPage = `TODO check: \`${form.keywordParam}\` is from the homepage's search form; the page parameter \`${GUESSED_PAGE_PARAM}\` is a guess`;
  let page;
  try {
    page = await fetchHtml(firstPage, timeoutMs);
  } catch (error) {
    return {
      searchPath: withPage(GUESSED_PAGE_PARAM),
      queryEncoding,
      searchPathNote: `${guessedPage} (the search page could not be read).`,
      page: { reason: (error as Error).message },
    };
  }
  const pageParam = findPageParam(cheerio.load(page.html), page.url, new URL(firstPage).pathname, form.keywordParam);
  return {
    searchPath: withPage(pageParam ?? GUESSED_PAGE_PARAM),
    queryEncoding,
    searchPathNote: pageParam
      ? `From the homepage's search form (\`${form.keywordParam}\`) and a pagination link (\`${pageParam}\`).`
      : `${guessedPage} (no pagination link was found).`,
    page,
  };
}

interface SearchForm {
  action: string;
  keywordParam: string;
  /** Hidden fields a browser would submit with the keyword. */
  hidden: [string, string][];
}

/** The first GET form with a text box, preferring one whose box is named like a search. */
function findSearchForm($: CheerioAPI, pageUrl: string): SearchForm | null {
  const forms: SearchForm[] = [];
  $('form').each((_, element) => {
    const form = $(element);
    if ((form.attr('method') ?? 'get').toLowerCase() !== 'get') return;
    const boxes = form
      .find('input')
      .toArray()
      .filter((input) => ['', 'text', 'search'].includes(($(input).attr('type') ?? '').toLowerCase()) && $(input).attr('name'));
    const box = boxes.find((input) => KEYWORD_NAME.test($(input).attr('name') ?? '')) ?? boxes[0];
    const keywordParam = box ? $(box).attr('name') : undefined;
    let action: URL;
    try {
      action = new URL(form.attr('action')?.trim() || pageUrl, pageUrl);
    } catch {
      return;
    }
    if (!keywordParam || (action.protocol !== 'http:' && action.protocol !== 'https:')) return;
    const hidden = form
      .find('input[type="hidden" i][name]')
      .toArray()
      .map((input): [string, string] => [$(input).attr('name') ?? '', $(input).attr('value') ?? '']);
    forms.push({ action: action.toString(), keywordParam, hidden });
  });
  return forms.find((form) => KEYWORD_NAME.test(form.keywordParam)) ?? forms[0] ?? null;
}

/** The parameter a link to the same search sets to `2`: the page number. */
function findPageParam($: CheerioAPI, pageUrl: string, searchPathname: string, keywordParam: string): string | null {
  for (const element of $('a[href]').toArray()) {
    let link: URL;
    try {
      link = new URL($(element).attr('href') ?? '', pageUrl);
    } catch {
      continue;
    }
    if (link.pathname !== searchPathname || !link.searchParams.has(keywordParam)) continue;
    for (const [name, value] of link.searchParams) {
      if (name !== keywordParam && value === '2') return name;
    }
  }
  return null;
}

/** `name=value` pairs, percent-encoded except the kit's `{keyword}` and `{page}` placeholders. */
function queryString(pairs: [string, string][]): string {
  const encode = (text: string) => (/^\{(?:keyword|page)\}$/.test(text) ? text : encodeURIComponent(text));
  return pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encode(value)}`).join('&');
}

/** Just enough of a site description for the kit's `buildSearchUrl`. */
export function searchOnlySite(homepage: string, searchPath: string, queryEncoding: QueryEncoding): SiteDescription {
  const none = 'scaffold-none';
  return {
    id: 'scaffold',
    name: 'scaffold',
    homepage,
    searchPath,
    queryEncoding,
    pageSize: 1,
    selectors: { item: none, title: none, price: none, link: none, noResults: none },
    parsePrice: () => null,
    parseModel: () => null,
  };
}

/** The path below the homepage when it is there (the kit resolves it against the homepage), else absolute. */
function relativeTo(homepage: string, target: URL): string {
  const home = new URL(homepage);
  if (target.origin !== home.origin) return target.toString();
  return target.pathname.startsWith(home.pathname) ? target.pathname.slice(home.pathname.length) : target.pathname;
}
