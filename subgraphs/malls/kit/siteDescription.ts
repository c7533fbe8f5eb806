/**
 * What makes one mall different from another: where its search page is and
 * how to read it. Everything else (fetching, caching, coalescing, rate limits,
 * the subgraph) lives once in the mall kit.
 */
export interface SiteDescription {
  /** Stable id, lower-case letters, digits and dashes: `hanbit`. */
  id: string;
  /** Display name: `한빛몰`. */
  name: string;
  /** Base URL of the site; search paths and relative links resolve against it. */
  homepage: string;
  /**
   * Other origins that are part of the site (`https://img.hanbit.example`, its
   * https twin): the crawler follows redirects there and offers may link
   * there. Redirects and links anywhere else are refused.
   */
  allowedOrigins?: string[];
  /** Search page path template with `{keyword}` and `{page}` (1-based): `/search?q={keyword}&page={page}`. */
  searchPath: string;
  /** How the keyword is percent-encoded in the URL; EUC-KR sites expect EUC-KR bytes. */
  queryEncoding: 'utf-8' | 'euc-kr';
  /** Items per result page, so the kit knows how many pages `first` needs. */
  pageSize: number;
  selectors: SiteSelectors;
  /** Reads a price such as `1,290,000원` or `₩1,290,000`; null when there is none. */
  parsePrice(text: string): number | null;
  /** Finds the model code in the text the `model` selector points at (or the title). */
  parseModel(text: string): string | null;
}

export interface SiteSelectors {
  /** One element per result item. */
  item: string;
  /** Within an item. */
  title: string;
  price: string;
  link: string;
  image?: string;
  /** Attribute holding the image URL: `src` unless the site lazy-loads (`data-src`). */
  imageAttribute?: string;
  /** Element whose text (or `modelAttribute`) holds the model code; the title when absent. */
  model?: string;
  modelAttribute?: string;
  /** Present on the page when the search found nothing. */
  noResults: string;
  /** Present when there is a further page. */
  nextPage?: string;
}

/** One offer as crawled, before the catalog adds product details. */
export interface CrawledOffer {
  title: string;
  price: number;
  currency: string;
  url: string;
  imageUrl: string | null;
  model: string | null;
}

export interface ExtractedPage {
  offers: CrawledOffer[];
  hasNextPage: boolean;
}
