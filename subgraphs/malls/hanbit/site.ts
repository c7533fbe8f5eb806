/** 한빛몰: UTF-8 `ul/li` list, model code in `data-model`, 20 per page. */
import { modelCode, parseWonPrice } from '../kit/parseText.ts';
import type { SiteDescription } from '../kit/siteDescription.ts';

export function createSite(homepage: string): SiteDescription {
  return {
    id: 'hanbit',
    name: '한빛몰',
    // Relative search paths resolve below the homepage only when it ends in `/`.
    homepage: homepage.endsWith('/') ? homepage : `${homepage}/`,
    searchPath: 'search?q={keyword}&page={page}',
    queryEncoding: 'utf-8',
    pageSize: 20,
    selectors: {
      item: 'li.prd-item',
      title: '.prd-name',
      price: '.prd-price',
      link: 'a.prd-link',
      image: 'img.prd-thumb',
      modelAttribute: 'data-model',
      noResults: '.search-empty',
      nextPage: '.paging a.next',
    },
    parsePrice: parseWonPrice,
    parseModel: modelCode,
  };
}
