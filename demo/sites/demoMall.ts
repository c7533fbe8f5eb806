/** What the demo server needs from each mall renderer. */
import type { Listing, MallId, PageSlice } from './listing.ts';
import type { Charset } from './markup.ts';

export interface SearchView {
  keyword: string;
  slice: PageSlice<Listing>;
  /** The request's Host header (validated), for protocol-relative URLs. */
  host: string;
}

export interface DemoMall {
  id: MallId;
  name: string;
  charset: Charset;
  pageSize: number;
  /** Search page path below `/<id>/`: `search`, `shop/goods_search.php`. */
  searchPath: string;
  keywordParam: string;
  pageParam: string;
  renderHome(host: string): string;
  /** The results page, or the mall's own no-results page when the slice is empty. */
  renderSearch(view: SearchView): string;
  /** What the page looks like after a redesign the crawler does not know. */
  renderBroken(view: SearchView): string;
  /** The goods number a path below `/<id>/` points at, if it is a goods page. */
  goodsNo(path: string, query: URLSearchParams): number | null;
  renderGoods(item: Listing, host: string): string;
}
