/**
 * 세종쇼핑: div cards, lazy images (`data-src`, protocol-relative or `../`),
 * a struck-out list price beside the `₩1,290,000` sale price, the model code
 * in a `<dl>` spec list, 12 per page.
 */
import type { DemoMall, SearchView } from './demoMall.ts';
import type { Listing } from './listing.ts';
import { escapeHtml, formatWon, percentEncode } from './markup.ts';

const LAZY_PLACEHOLDER = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

function searchQuery(keyword: string, page: number): string {
  return `?keyword=${percentEncode(keyword, 'utf-8')}&amp;pg=${page}`;
}

function layout(title: string, keyword: string, content: string, root: string): string {
  return `<!doctype html>
<html lang="ko">
<head>
  <meta charset="UTF-8">
  <title>${escapeHtml(title)}</title>
  <link rel="stylesheet" href="${root}css/shop.css">
</head>
<body class="sj">
  <div class="sj-header">
    <a class="sj-logo" href="${root}">세종쇼핑</a>
    <form class="sj-search" action="${root}shop/search"><input name="keyword" value="${escapeHtml(keyword)}"><button>검색</button></form>
  </div>
  <div class="sj-container">
${content}
  </div>
  <div class="sj-footer">세종쇼핑 | 고객센터 1600-0000 (평일 09:00~18:00)</div>
  <script src="${root}js/lazyload.min.js"></script>
</body>
</html>
`;
}

function imageUrl(listing: Listing, host: string): string {
  // Catalog goods come from the image server, mall-only goods from the shop's own folder.
  return listing.catalogId ? `//${host}/sejong/img/p/${listing.no}.jpg` : `../img/p/${listing.no}.jpg`;
}

function priceBox(listing: Listing): string {
  const sale = `<strong class="sale">₩${formatWon(listing.price)}</strong>`;
  if (listing.price >= listing.listPrice) return sale;
  const rate = Math.round((1 - listing.price / listing.listPrice) * 100);
  return `<span class="rate">${rate}%</span>
        <del class="origin">₩${formatWon(listing.listPrice)}</del>
        ${sale}`;
}

function card(listing: Listing, host: string): string {
  const model = listing.model ? `<dt>모델명</dt><dd>${escapeHtml(listing.model)}</dd>` : '';
  return `    <div class="goods-card" data-id="${listing.no}">
      <a class="goods-card__link" href="../product/${listing.no}?ref=search">
        <div class="goods-card__thumb"><img class="lazy" src="${LAZY_PLACEHOLDER}" data-src="${imageUrl(listing, host)}" alt=""></div>
        <p class="goods-card__name">
          ${escapeHtml(listing.englishName)}
        </p>
      </a>
      <div class="goods-card__price">
        ${priceBox(listing)}
      </div>
      <dl class="goods-card__spec"><dt>제조사</dt><dd>${escapeHtml(listing.brand)}</dd>${model}</dl>
    </div>`;
}

function pagination(view: SearchView): string {
  const { page, totalPages, hasNext } = view.slice;
  const parts: string[] = [];
  if (page > 1) parts.push(`<a class="pagination__prev" rel="prev" href="${searchQuery(view.keyword, page - 1)}">‹</a>`);
  for (let p = 1; p <= totalPages; p++) {
    parts.push(`<a class="pagination__num${p === page ? ' is-active' : ''}" href="${searchQuery(view.keyword, p)}">${p}</a>`);
  }
  if (hasNext) parts.push(`<a class="pagination__next" rel="next" href="${searchQuery(view.keyword, page + 1)}">›</a>`);
  return `<div class="pagination">${parts.join('')}</div>`;
}

export const sejongSite: DemoMall = {
  id: 'sejong',
  name: '세종쇼핑',
  charset: 'utf-8',
  pageSize: 12,
  searchPath: 'shop/search',
  keywordParam: 'keyword',
  pageParam: 'pg',

  renderHome() {
    return layout(
      '세종쇼핑',
      '',
      `<div class="sj-hero"><h2>이번 주 인기상품</h2>
<a href="shop/search${searchQuery('galaxy', 1)}">갤럭시 기획전</a></div>`,
      '',
    );
  },

  renderSearch(view) {
    const title = `${view.keyword} : 세종쇼핑 검색`;
    if (view.slice.items.length === 0) {
      return layout(
        title,
        view.keyword,
        `<div class="empty-result">
      <p class="empty-result__title">검색 결과가 없습니다</p>
      <p class="empty-result__desc">“${escapeHtml(view.keyword)}”와(과) 일치하는 상품이 없어요.</p>
    </div>`,
        '../',
      );
    }
    return layout(
      title,
      view.keyword,
      `<div class="result-head">“${escapeHtml(view.keyword)}” 상품 <b>${view.slice.total}</b></div>
    <div class="goods-grid">
${view.slice.items.map((listing) => card(listing, view.host)).join('\n')}
    </div>
${pagination(view)}`,
      '../',
    );
  },

  renderBroken() {
    // A half-delivered page: the grid never arrives.
    return `<!doctype html><html lang="ko"><head><meta charset="UTF-8"><title>세종쇼핑</title></head>
<body><div id="app" data-server-rendered="false"></div><noscript>JavaScript를 켜 주세요.</noscript>
<script>/* bundle failed to load */</script></body></html>`;
  },

  goodsNo(path) {
    const match = /^product\/(\d{1,9})$/.exec(path);
    return match ? Number(match[1]) : null;
  },

  renderGoods(listing, host) {
    return layout(
      `${listing.englishName} : 세종쇼핑`,
      '',
      `<div class="goods-view">
      <img src="${imageUrl(listing, host)}" alt="">
      <h2>${escapeHtml(listing.englishName)}</h2>
      <div class="goods-card__price">${priceBox(listing)}</div>
    </div>`,
      '../',
    );
  },
};
