/** 세종쇼핑: div cards, lazy `data-src` images, sale price beside a struck-out one, model code in a spec list, 12 per page. */
import { modelCode, parseWonPrice } from '../kit/parseText.ts';
import type { SiteDescription } from '../kit/siteDescription.ts';

export function createSite(homepage: string): SiteDescription {
  return {
    id: 'sejong',
    name: '세종쇼핑',
    // Relative search paths resolve below the homepage only when it ends in `/`.
    homepage: homepage.endsWith('/') ? homepage : `${homepage}/`,
    searchPath: 'shop/search?keyword={keyword}&pg={page}',
    queryEncoding: 'utf-8',
    pageSize: 12,
    selectors: {
      item: '.goods-grid > .goods-card',
      title: '.goods-card__name',
      // Not `del.origin`: that is the struck-out list price.
      price: '.goods-card__price .sale',
      link: 'a.goods-card__link',
      image: '.goods-card__thumb img',
      imageAttribute: 'data-src',
      model: 'dl.goods-card__spec dt:contains("모델명") + dd',
      noResults: '.empty-result',
      nextPage: '.pagination a[rel="next"]',
    },
    parsePrice: parseWonPrice,
    parseModel: modelCode,
  };
}
