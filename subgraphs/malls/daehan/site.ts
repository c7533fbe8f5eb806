/** 대한마켓: EUC-KR table layout, model code only in the title's parentheses or brackets, 15 per page. */
import { modelInParentheses, parseWonPrice } from '../kit/parseText.ts';
import type { SiteDescription } from '../kit/siteDescription.ts';

export function createSite(homepage: string): SiteDescription {
  return {
    id: 'daehan',
    name: '대한마켓',
    // Relative search paths resolve below the homepage only when it ends in `/`.
    homepage: homepage.endsWith('/') ? homepage : `${homepage}/`,
    searchPath: 'shop/goods_search.php?searchword={keyword}&page={page}',
    queryEncoding: 'euc-kr',
    pageSize: 15,
    selectors: {
      // The header row has no td.subject; the separator rows have no cells with content.
      item: 'table.goods_list tr:has(td.subject)',
      title: 'td.subject > a',
      price: 'td.price',
      link: 'td.subject > a',
      image: 'td.thumb img',
      noResults: 'table.goods_list td.no_data',
      nextPage: '.paging a:has(img[alt="다음"])',
    },
    parsePrice: parseWonPrice,
    parseModel: modelInParentheses,
  };
}
