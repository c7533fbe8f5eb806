/**
 * 민국몰: a UTF-8 mall in the style of a Java shop (`display/search.do`,
 * `pageNo`). Each result is a `<dl>`, links are relative to the directory,
 * the price is a bare `<strong>1,290,000</strong>` beside a discount rate,
 * the model code sits in its own `<span>`, 16 per page, cheapest first.
 *
 * No mall subgraph crawls it by default: it is the site the README and the
 * tests scaffold a new mall against.
 */
import type { SiteSelectors } from '../../subgraphs/malls/kit/siteDescription.ts';
import type { DemoMall, SearchView } from './demoMall.ts';
import type { Listing } from './listing.ts';
import { escapeHtml, formatWon, percentEncode } from './markup.ts';

const PREFIX = '/minguk';

/**
 * What a team fills into the `site.ts` that `gatehouse mall new minguk`
 * scaffolds. Kept beside the markup it describes so the two change together.
 */
export const mingukSelectors: SiteSelectors = {
  item: '#searchList dl.goods-unit',
  title: 'dd.goods-unit__tit > a',
  price: 'dd.goods-unit__price strong',
  link: 'dd.goods-unit__tit > a',
  image: 'dt.goods-unit__img img',
  model: 'dd.goods-unit__code .val',
  noResults: '.srch-none',
  nextPage: '.paginate a.btn-next',
};

function searchHref(keyword: string, page: number): string {
  return `search.do?query=${percentEncode(keyword, 'utf-8')}&amp;pageNo=${page}`;
}

function layout(title: string, keyword: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="ko">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta charset="UTF-8">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${PREFIX}/resources/css/ui.css">
</head>
<body>
<div id="wrap">
  <div id="header">
    <h1><a href="${PREFIX}/">민국몰</a></h1>
    <form id="srchForm" name="srchForm" action="${PREFIX}/display/search.do" method="get">
      <fieldset><legend>상품검색</legend>
        <input type="text" id="query" name="query" value="${escapeHtml(keyword)}" title="검색어 입력">
        <button type="submit" class="btn-srch">검색</button>
      </fieldset>
    </form>
  </div>
  <div id="container">
${content}
  </div>
  <div id="footer"><address>민국몰(주) | 대표 홍길동 | 고객센터 1577-0000</address></div>
</div>
</body>
</html>
`;
}

function unit(listing: Listing): string {
  const rate = listing.price < listing.listPrice ? `<span class="dc">${Math.round((1 - listing.price / listing.listPrice) * 100)}%</span> ` : '';
  const code = listing.model
    ? `\n      <dd class="goods-unit__code"><span class="lbl">모델</span> <span class="val">${escapeHtml(listing.model)}</span></dd>`
    : '';
  const title = `${listing.koreanName} (${listing.englishName})`;
  return `    <dl class="goods-unit" data-prd-no="${listing.no}">
      <dt class="goods-unit__img"><a href="goods.do?prdNo=${listing.no}"><img src="${PREFIX}/img/prd/${listing.no}.png" alt="${escapeHtml(title)}"></a></dt>
      <dd class="goods-unit__tit"><a href="goods.do?prdNo=${listing.no}" title="${escapeHtml(title)}">${escapeHtml(title)}</a></dd>
      <dd class="goods-unit__price">${rate}<strong>${formatWon(listing.price)}</strong><span class="won">원</span></dd>${code}
    </dl>`;
}

function paginate(view: SearchView): string {
  const { page, totalPages, hasNext } = view.slice;
  const links: string[] = [];
  if (page > 1) links.push(`<a class="btn-prev" href="${searchHref(view.keyword, page - 1)}">이전</a>`);
  for (let p = 1; p <= totalPages; p++) {
    links.push(p === page ? `<em>${p}</em>` : `<a href="${searchHref(view.keyword, p)}">${p}</a>`);
  }
  if (hasNext) links.push(`<a class="btn-next" href="${searchHref(view.keyword, page + 1)}">다음</a>`);
  return `<div class="paginate">${links.join('')}</div>`;
}

export const mingukSite: DemoMall = {
  id: 'minguk',
  name: '민국몰',
  charset: 'utf-8',
  pageSize: 16,
  searchPath: 'display/search.do',
  keywordParam: 'query',
  pageParam: 'pageNo',

  renderHome() {
    return layout(
      '민국몰 - 대한민국 대표 쇼핑몰',
      '',
      `<div class="main-visual"><h2>이달의 기획전</h2>
<a href="display/${searchHref('galaxy', 1)}">갤럭시 최저가</a></div>`,
    );
  },

  renderSearch(view) {
    const title = `${view.keyword} 검색결과 | 민국몰`;
    if (view.slice.items.length === 0) {
      return layout(
        title,
        view.keyword,
        `<div class="srch-none">
    <p><strong>${escapeHtml(view.keyword)}</strong>에 대한 검색결과가 없습니다.</p>
  </div>`,
      );
    }
    return layout(
      title,
      view.keyword,
      `<h2 class="srch-tit"><strong>${escapeHtml(view.keyword)}</strong> 검색결과 (${view.slice.total}건)</h2>
  <div id="searchList" class="srch-list">
${view.slice.items.map(unit).join('\n')}
  </div>
  ${paginate(view)}`,
    );
  },

  renderBroken() {
    // The search went behind a bot check.
    return layout('민국몰', '', `<div class="captcha"><p>자동입력 방지를 위해 아래 문자를 입력해 주세요.</p><img src="${PREFIX}/captcha.png" alt=""></div>`);
  },

  goodsNo(path, query) {
    if (path !== 'display/goods.do') return null;
    const no = query.get('prdNo') ?? '';
    return /^\d{1,9}$/.test(no) ? Number(no) : null;
  },

  renderGoods(listing) {
    const title = `${listing.koreanName} (${listing.englishName})`;
    return layout(
      `${title} | 민국몰`,
      '',
      `<div class="goods-view">
    <img src="${PREFIX}/img/prd/${listing.no}.png" alt="">
    <h2>${escapeHtml(title)}</h2>
    <p class="price"><strong>${formatWon(listing.price)}</strong>원</p>
  </div>`,
    );
  },
};
