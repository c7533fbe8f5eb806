/**
 * 대한마켓: an old EUC-KR mall. Table layout, links relative to the directory
 * (`goods_view.php?no=…`), images under `../img/`, `<b>1,290,000</b>원`
 * prices, the model code only in the title, 15 per page.
 */
import type { DemoMall, SearchView } from './demoMall.ts';
import type { Listing } from './listing.ts';
import { escapeHtml, formatWon, percentEncode } from './markup.ts';

function searchHref(keyword: string, page: number): string {
  return `goods_search.php?searchword=${percentEncode(keyword, 'euc-kr')}&amp;page=${page}`;
}

/** The model code sits in the title only, in brackets or parentheses depending on who typed the item in. */
function titleOf(listing: Listing): string {
  if (!listing.model) return `[${listing.brand}] ${listing.koreanName}`;
  return listing.no % 2 === 0 ? `[${listing.brand}] ${listing.koreanName} (${listing.model})` : `${listing.englishName} 정품 [${listing.model}]`;
}

function layout(keyword: string, content: string, base = ''): string {
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">
<title>대한마켓 - 알뜰한 쇼핑의 시작</title>
<link rel="stylesheet" type="text/css" href="${base}../css/style.css">
</head>
<body topmargin="0" leftmargin="0" marginwidth="0" marginheight="0">
<table width="900" align="center" border="0" cellpadding="0" cellspacing="0">
<tr><td height="60"><a href="${base}../"><img src="${base}../img/logo.gif" alt="대한마켓" border="0"></a>
<form name="searchForm" action="${base}goods_search.php" method="get" style="display:inline">
<input type="text" name="searchword" value="${escapeHtml(keyword)}" size="20"><input type="image" src="${base}../img/btn_search.gif" alt="검색">
</form></td></tr>
<tr><td valign="top">
${content}
</td></tr>
<tr><td align="center" height="50"><font size="1" color="#999999">Copyright (c) 대한마켓 All rights reserved. 통신판매업신고 제2004-서울-0000호</font></td></tr>
</table>
</body>
</html>
`;
}

function row(listing: Listing): string {
  return `<tr>
  <td class="thumb" width="90" align="center"><a href="goods_view.php?no=${listing.no}"><img src="../img/goods/${listing.no}.gif" width="80" height="80" border="0"></a></td>
  <td class="subject"><a href="goods_view.php?no=${listing.no}"><font color="#333333">${escapeHtml(titleOf(listing))}</font></a><br><font color="#999999" size="1">무료배송</font></td>
  <td class="price" width="120" align="right"><font color="#ff6600"><b>${formatWon(listing.price)}</b>원</font></td>
</tr>
<tr><td colspan="3" height="1" bgcolor="#e5e5e5"></td></tr>`;
}

function paging(view: SearchView): string {
  const { page, totalPages, hasNext } = view.slice;
  const links: string[] = [];
  if (page > 1) links.push(`<a href="${searchHref(view.keyword, page - 1)}"><img src="../img/btn_prev.gif" alt="이전" border="0"></a>`);
  for (let p = 1; p <= totalPages; p++) {
    links.push(p === page ? `<b>[${p}]</b>` : `<a href="${searchHref(view.keyword, p)}">[${p}]</a>`);
  }
  if (hasNext) links.push(`<a href="${searchHref(view.keyword, page + 1)}"><img src="../img/btn_next.gif" alt="다음" border="0"></a>`);
  return `<div class="paging" align="center">${links.join('&nbsp;')}</div>`;
}

export const daehanSite: DemoMall = {
  id: 'daehan',
  name: '대한마켓',
  charset: 'euc-kr',
  pageSize: 15,
  searchPath: 'shop/goods_search.php',
  keywordParam: 'searchword',
  pageParam: 'page',

  renderHome() {
    return layout(
      '',
      `<table width="100%"><tr><td><b>오늘의 추천상품</b><br>
<a href="shop/${searchHref('에어팟', 1)}">에어팟 최저가 모음</a></td></tr></table>`,
      'shop/',
    );
  },

  renderSearch(view) {
    const summary = `<table width="100%" border="0"><tr><td><b>"${escapeHtml(view.keyword)}"</b> 검색결과 : 총 <font color="red">${view.slice.total}</font>개</td></tr></table>`;
    if (view.slice.items.length === 0) {
      return layout(
        view.keyword,
        `${summary}
<table class="goods_list" width="100%" border="0" cellpadding="5" cellspacing="0">
<tr><td class="no_data" align="center" height="200">검색하신 상품이 없습니다.<br>다른 검색어를 입력해 주세요.</td></tr>
</table>`,
      );
    }
    return layout(
      view.keyword,
      `${summary}
<table class="goods_list" width="100%" border="0" cellpadding="5" cellspacing="0">
<tr bgcolor="#f5f5f5"><th>이미지</th><th>상품명</th><th>판매가</th></tr>
${view.slice.items.map(row).join('\n')}
</table>
${paging(view)}`,
    );
  },

  renderBroken() {
    return layout(
      '',
      `<table width="100%"><tr><td align="center" height="300">
<b>서비스 점검 중입니다.</b><br>이용에 불편을 드려 죄송합니다. (점검시간 02:00 ~ 06:00)
</td></tr></table>`,
    );
  },

  goodsNo(path, query) {
    if (path !== 'shop/goods_view.php') return null;
    const no = query.get('no') ?? '';
    return /^\d{1,9}$/.test(no) ? Number(no) : null;
  },

  renderGoods(listing) {
    return layout(
      '',
      `<table width="100%"><tr>
<td width="300"><img src="../img/goods/${listing.no}.gif" width="300" height="300"></td>
<td valign="top"><font size="4"><b>${escapeHtml(titleOf(listing))}</b></font><br><br>
판매가 : <font color="#ff6600"><b>${formatWon(listing.price)}</b>원</font></td>
</tr></table>`,
    );
  },
};
