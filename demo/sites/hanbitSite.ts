/**
 * 한빛몰: a modern UTF-8 mall. `ul/li` result list, absolute-path links,
 * `1,290,000원` prices, the model code in a `data-model` attribute, 20 per page.
 */
import type { DemoMall, SearchView } from './demoMall.ts';
import type { Listing } from './listing.ts';
import { escapeHtml, formatWon, percentEncode } from './markup.ts';

const PREFIX = '/hanbit';

function searchHref(keyword: string, page: number): string {
  return `${PREFIX}/search?q=${percentEncode(keyword, 'utf-8')}&amp;page=${page}`;
}

function layout(title: string, keyword: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${PREFIX}/css/common.css">
</head>
<body>
<header class="gnb">
  <h1 class="logo"><a href="${PREFIX}/">한빛몰</a></h1>
  <form class="search-form" action="${PREFIX}/search" method="get">
    <input type="search" name="q" value="${escapeHtml(keyword)}" placeholder="검색어를 입력하세요">
    <button type="submit">검색</button>
  </form>
</header>
<main id="content">
${content}
</main>
<footer class="footer"><p>(주)한빛몰 | 사업자등록번호 123-45-67890 | 고객센터 1588-0000</p></footer>
</body>
</html>
`;
}

function item(listing: Listing): string {
  const model = listing.model ? ` data-model="${escapeHtml(listing.model)}"` : '';
  const badge = listing.price < listing.listPrice ? '<span class="prd-badge">특가</span>' : '';
  return `    <li class="prd-item" data-goods-no="${listing.no}"${model}>
      <a class="prd-link" href="${PREFIX}/goods/${listing.no}">
        <img class="prd-thumb" src="${PREFIX}/img/goods/${listing.no}.jpg" alt="${escapeHtml(listing.name)}" width="200" height="200">
        <span class="prd-name">${escapeHtml(listing.name)}</span>
      </a>
      <span class="prd-price">${formatWon(listing.price)}원</span>
      ${badge}<span class="prd-delivery">무료배송</span>
    </li>`;
}

function paging(view: SearchView): string {
  const { page, totalPages, hasNext } = view.slice;
  const links: string[] = [];
  if (page > 1) links.push(`<a class="prev" href="${searchHref(view.keyword, page - 1)}">이전</a>`);
  for (let p = 1; p <= totalPages; p++) {
    links.push(p === page ? `<strong class="on">${p}</strong>` : `<a href="${searchHref(view.keyword, p)}">${p}</a>`);
  }
  if (hasNext) links.push(`<a class="next" href="${searchHref(view.keyword, page + 1)}">다음</a>`);
  return `<nav class="paging">${links.join(' ')}</nav>`;
}

export const hanbitSite: DemoMall = {
  id: 'hanbit',
  name: '한빛몰',
  charset: 'utf-8',
  pageSize: 20,
  searchPath: 'search',
  keywordParam: 'q',
  pageParam: 'page',

  renderHome() {
    return layout(
      '한빛몰 - 믿을 수 있는 온라인 쇼핑',
      '',
      `<section class="main-banner"><h2>오늘의 특가</h2>
<p><a href="${searchHref('airpods', 1)}">에어팟 특가 보러가기</a></p></section>`,
    );
  },

  renderSearch(view) {
    const title = `'${view.keyword}' 검색결과 - 한빛몰`;
    if (view.slice.items.length === 0) {
      return layout(
        title,
        view.keyword,
        `<div class="search-empty">
  <p><strong>'${escapeHtml(view.keyword)}'</strong>에 대한 검색 결과가 없습니다.</p>
  <p>단어의 철자가 정확한지 확인해 주세요.</p>
</div>`,
      );
    }
    return layout(
      title,
      view.keyword,
      `<p class="search-summary"><strong>'${escapeHtml(view.keyword)}'</strong> 검색결과 <em>${view.slice.total}</em>개</p>
<ul class="prd-list">
${view.slice.items.map(item).join('\n')}
</ul>
${paging(view)}`,
    );
  },

  renderBroken(view) {
    // A redesign: cards in new class names, no list, no empty-state marker.
    const cards = view.slice.items
      .map((listing) => `<article class="ProductCard_root__x1"><h3>${escapeHtml(listing.name)}</h3><p>${formatWon(listing.price)}</p></article>`)
      .join('\n');
    return `<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>한빛몰</title></head>
<body><div id="__next"><div class="SearchResult_grid__a9">${cards}</div><script>window.__DATA__={}</script></div></body></html>`;
  },

  goodsNo(path) {
    const match = /^goods\/(\d{1,9})$/.exec(path);
    return match ? Number(match[1]) : null;
  },

  renderGoods(listing) {
    return layout(
      `${listing.name} - 한빛몰`,
      '',
      `<div class="goods-detail" data-model="${escapeHtml(listing.model ?? '')}">
  <h2 class="goods-name">${escapeHtml(listing.name)}</h2>
  <img src="${PREFIX}/img/goods/${listing.no}.jpg" alt="" width="400" height="400">
  <p class="goods-price">${formatWon(listing.price)}원</p>
</div>`,
    );
  },
};
