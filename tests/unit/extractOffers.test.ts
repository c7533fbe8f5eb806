import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cheerio from 'cheerio';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { createSite as createDaehanSite } from '../../subgraphs/malls/daehan/site.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { decodePage, pageCharset } from '../../subgraphs/malls/kit/decodePage.ts';
import { buildSearchUrl, extractOffers, SiteLayoutError } from '../../subgraphs/malls/kit/extractOffers.ts';
import { PageTooComplexError } from '../../subgraphs/malls/kit/parseHtmlWithBudget.ts';
import { modelCode, modelInParentheses, parseWonPrice } from '../../subgraphs/malls/kit/parseText.ts';
import type { CrawledOffer, SiteDescription } from '../../subgraphs/malls/kit/siteDescription.ts';
import { createSite as createSejongSite } from '../../subgraphs/malls/sejong/site.ts';

// Fixtures were saved from the demo sites by demo/sites/saveFixtures.ts as if served from here.
const ORIGIN = 'http://127.0.0.1:4100';
const FIXTURES = fileURLToPath(new URL('../fixtures/pages/', import.meta.url));

const hanbit = createHanbitSite(`${ORIGIN}/hanbit/`);
const daehan = createDaehanSite(`${ORIGIN}/daehan/`);
const sejong = createSejongSite(`${ORIGIN}/sejong/`);

function fixture(file: string, contentType: string | null = null): string {
  return decodePage(readFileSync(join(FIXTURES, file)), contentType);
}

interface PageCase {
  file: string;
  site: SiteDescription;
  keyword: string;
  page: number;
  count: number;
  hasNextPage: boolean;
  first: CrawledOffer;
}

const PAGES: PageCase[] = [
  {
    file: 'hanbit/search-airpods-p1.html',
    site: hanbit,
    keyword: 'airpods',
    page: 1,
    count: 20,
    hasNextPage: true,
    first: {
      title: 'Apple AirPods 1세대 (에어팟 1)',
      price: 207_000,
      currency: 'KRW',
      url: `${ORIGIN}/hanbit/goods/100001`,
      imageUrl: `${ORIGIN}/hanbit/img/goods/100001.jpg`,
      model: 'MQD000BKH/A',
    },
  },
  {
    file: 'hanbit/search-airpods-p2.html',
    site: hanbit,
    keyword: 'airpods',
    page: 2,
    count: 6,
    hasNextPage: false,
    first: {
      title: 'Apple AirPods Air 3세대 (에어팟 Air 3)',
      price: 332_200,
      currency: 'KRW',
      url: `${ORIGIN}/hanbit/goods/100027`,
      imageUrl: `${ORIGIN}/hanbit/img/goods/100027.jpg`,
      model: 'MQD082BKH/A',
    },
  },
  {
    file: 'daehan/search-airpods-ko-p1.html',
    site: daehan,
    keyword: '에어팟',
    page: 1,
    count: 15,
    hasNextPage: true,
    first: {
      title: '[Apple] 에어팟 리퍼 정품 (RFB-0D10)',
      price: 139_000,
      currency: 'KRW',
      url: `${ORIGIN}/daehan/shop/goods_view.php?no=6002`,
      imageUrl: `${ORIGIN}/daehan/img/goods/6002.gif`,
      model: 'RFB-0D10',
    },
  },
  {
    file: 'daehan/search-airpods-ko-p2.html',
    site: daehan,
    keyword: '에어팟',
    page: 2,
    count: 10,
    hasNextPage: false,
    first: {
      title: '[Apple] 에어팟 Lite 3 (MQD032MKH/A)',
      price: 261_700,
      currency: 'KRW',
      url: `${ORIGIN}/daehan/shop/goods_view.php?no=5012`,
      imageUrl: `${ORIGIN}/daehan/img/goods/5012.gif`,
      model: 'MQD032MKH/A',
    },
  },
  {
    file: 'sejong/search-airpods-p1.html',
    site: sejong,
    keyword: 'airpods',
    page: 1,
    count: 12,
    hasNextPage: true,
    first: {
      title: 'Apple AirPods SE 1세대',
      price: 322_400,
      currency: 'KRW',
      url: `${ORIGIN}/sejong/product/700022?ref=search`,
      imageUrl: `${ORIGIN}/sejong/img/p/700022.jpg`,
      model: 'MQD070WKH/A',
    },
  },
  {
    file: 'sejong/search-airpods-p3.html',
    site: sejong,
    keyword: 'airpods',
    page: 3,
    count: 3,
    hasNextPage: false,
    first: {
      title: 'Apple AirPods Mini 1세대',
      price: 245_500,
      currency: 'KRW',
      url: `${ORIGIN}/sejong/product/700016?ref=search`,
      imageUrl: `${ORIGIN}/sejong/img/p/700016.jpg`,
      model: 'MQD050QKH/A',
    },
  },
];

function extractFixture(c: Pick<PageCase, 'file' | 'site' | 'keyword' | 'page'>) {
  return extractOffers(fixture(c.file), c.site, buildSearchUrl(c.site, c.keyword, c.page));
}

describe('extractOffers on saved pages', () => {
  it.each(PAGES)('$file: $count offers, first exact, hasNextPage $hasNextPage', (c) => {
    const page = extractFixture(c);
    expect(page.offers).toHaveLength(c.count);
    expect(page.offers[0]).toEqual(c.first);
    expect(page.hasNextPage).toBe(c.hasNextPage);
    for (const offer of page.offers) {
      expect(offer.url.startsWith(`${ORIGIN}/${c.site.id}/`)).toBe(true);
      expect(offer.imageUrl?.startsWith(`${ORIGIN}/${c.site.id}/img/`)).toBe(true);
      expect(offer.title).not.toMatch(/^\s|\s$|\s{2}/);
      expect(offer.price).toBeGreaterThan(0);
    }
  });

  it.each([hanbit, daehan, sejong])('$id: the no-results page is an empty page', (site) => {
    const page = extractOffers(fixture(`${site.id}/no-results.html`), site, buildSearchUrl(site, '존재하지않는상품', 1));
    expect(page).toEqual({ offers: [], hasNextPage: false });
  });

  it('hanbit: mall-only items come with no model code or one the catalog does not know', () => {
    const offers = extractFixture({ file: 'hanbit/search-airpods-p2.html', site: hanbit, keyword: 'airpods', page: 2 }).offers;
    expect(offers.map((o) => o.model).slice(-2)).toEqual([null, 'RFB-0H10']);
  });

  it('daehan: reads the EUC-KR bytes by their <meta> tag and finds codes in () and [] but not in [Apple]', () => {
    const raw = readFileSync(join(FIXTURES, 'daehan/search-airpods-ko-p1.html'));
    expect(raw.includes(Buffer.from('에어팟', 'utf8'))).toBe(false);
    expect(raw.includes(iconv.encode('에어팟', 'euc-kr'))).toBe(true);
    const offers = extractFixture({ file: 'daehan/search-airpods-ko-p1.html', site: daehan, keyword: '에어팟', page: 1 }).offers;
    expect(offers[1]).toMatchObject({ title: '[Apple] 에어팟 호환 케이스', model: null });
    expect(offers[3]).toMatchObject({ title: 'Apple AirPods Neo 2세대 정품 [MQD091DKH/A]', model: 'MQD091DKH/A' });
    // The header says the same as the meta tag; both routes give the same text.
    expect(fixture('daehan/search-airpods-ko-p1.html', 'text/html; charset=euc-kr')).toBe(fixture('daehan/search-airpods-ko-p1.html'));
  });

  it('sejong: takes the sale price, not the struck-out one, and resolves ../ lazy images', () => {
    const offers = extractFixture({ file: 'sejong/search-airpods-p1.html', site: sejong, keyword: 'airpods', page: 1 }).offers;
    expect(offers[1]).toMatchObject({ title: 'Apple AirPods Air 2세대', price: 315_800 });
    const refurbished = offers.find((o) => o.model === 'RFB-0S10');
    expect(refurbished?.imageUrl).toBe(`${ORIGIN}/sejong/img/p/${refurbished?.url.match(/product\/(\d+)/)?.[1]}.jpg`);
  });

  it('accepts an already loaded cheerio document', () => {
    const $ = cheerio.load(fixture('hanbit/search-airpods-p1.html'));
    expect(extractOffers($, hanbit, buildSearchUrl(hanbit, 'airpods', 1)).offers).toHaveLength(20);
  });
});

describe('extractOffers on pages it cannot read', () => {
  it.each([hanbit, daehan, sejong])('$id: broken markup throws SiteLayoutError naming the mall', (site) => {
    const read = () => extractOffers(fixture('hanbit/broken.html'), site, `${ORIGIN}/${site.id}/`);
    expect(read).toThrow(SiteLayoutError);
    try {
      read();
    } catch (error) {
      expect(error).toMatchObject({ code: 'LAYOUT_CHANGED', siteId: site.id });
      expect((error as Error).message).toMatch(new RegExp(`^${site.id}: the search page has neither result items \\(.+\\) nor a no-results marker`));
      expect((error as Error).message).toMatch(/layout may have changed$/);
    }
  });

  it('skips an item missing its price, link or title and keeps the rest', () => {
    const html = fixture('hanbit/search-airpods-p1.html')
      .replace('<span class="prd-price">207,000원</span>', '')
      .replace('href="/hanbit/goods/100003"', '')
      .replace('<span class="prd-name">Apple AirPods Pro 1세대 (에어팟 Pro 1)</span>', '<span class="prd-name">  </span>');
    const offers = extractOffers(html, hanbit, `${ORIGIN}/hanbit/search?q=airpods&page=1`).offers;
    expect(offers).toHaveLength(17);
    expect(offers[0]?.title).toBe('Apple AirPods Pro 2세대 (에어팟 Pro 2)');
  });

  it('throws SiteLayoutError when no item has a price (a renamed price class)', () => {
    const html = fixture('hanbit/search-airpods-p1.html').replaceAll('prd-price', 'PriceTag_x1');
    expect(() => extractOffers(html, hanbit, ORIGIN)).toThrow(/^hanbit: none of the 20 result items/);
  });

  it('keeps <script> in a title as text and never as markup, and drops script contents', () => {
    const html = `<ul><li class="prd-item" data-model="MQD000BKH/A">
      <a class="prd-link" href="/hanbit/goods/1"><span class="prd-name">Apple <script>alert(1)</script>AirPods &lt;script&gt;alert(2)&lt;/script&gt;
      <img src=x onerror="alert(3)"></span></a><span class="prd-price">1,000원</span></li></ul>`;
    const [offer] = extractOffers(html, hanbit, `${ORIGIN}/hanbit/search`).offers;
    expect(offer?.title).toBe('Apple AirPods <script>alert(2)</script>');
    expect(offer?.title).not.toContain('alert(1)');
  });

  it('reads a page with junk around its items as a layout change', () => {
    const junk = '<div class="x"><span>가나다 &amp; junk 123</span><img src=x></div>\n'.repeat(5_000);
    expect(() => extractOffers(junk, sejong, ORIGIN)).toThrow(SiteLayoutError);
  });
});

describe('extractOffers within its parse budget', () => {
  /** Throws what extractOffers throws, timed. */
  function refusal(html: string, site: SiteDescription = hanbit): { error: unknown; ms: number } {
    const started = performance.now();
    try {
      extractOffers(html, site, `${ORIGIN}/${site.id}/search`);
    } catch (error) {
      return { error, ms: performance.now() - started };
    }
    throw new Error('the page was read');
  }

  it('refuses 60,000 <div a="<"> (645 KB) at once: a `<` in an attribute hides no nesting from the parser\'s own count', () => {
    const hostile = '<div a="<">'.repeat(60_000);
    expect(hostile.length).toBeGreaterThan(640_000);
    const { error, ms } = refusal(hostile);
    expect(error).toBeInstanceOf(PageTooComplexError);
    expect(error).toMatchObject({ code: 'PAGE_TOO_COMPLEX', message: expect.stringMatching(/nests elements more than 512 deep/) });
    // Parsed to the end, this page takes the parser tens of seconds.
    expect(ms).toBeLessThan(2000);
  });

  it('refuses other nestings the parser builds: unclosed tags, formatting elements, tables', () => {
    for (const html of [
      '<div class="x"><p>가나다</span>'.repeat(200_000),
      '<b>'.repeat(500_000),
      '<table><tr><td>'.repeat(100_000),
      '<div title=">">'.repeat(60_000),
    ]) {
      const { error, ms } = refusal(html, daehan);
      expect(error).toMatchObject({ code: 'PAGE_TOO_COMPLEX' });
      expect(ms).toBeLessThan(2000);
    }
  });

  it('refuses a page of more elements than any search page has (a 5 MB page of junk)', () => {
    const junk = '<div class="x"><span>가나다 &amp; junk 123</span><img src=x></div>\n'.repeat(80_000);
    expect(junk.length).toBeGreaterThan(5_000_000);
    const { error, ms } = refusal(junk, sejong);
    expect(error).toMatchObject({ code: 'PAGE_TOO_COMPLEX', message: expect.stringMatching(/more than 100000 elements/) });
    expect(ms).toBeLessThan(5000);
  });

  it('reads a page nested 400 deep, as deep as sloppy real pages get and more', () => {
    const item = fixture('hanbit/search-airpods-p1.html');
    const deep = `${'<div>'.repeat(400)}${item}${'</div>'.repeat(400)}`;
    expect(extractOffers(deep, hanbit, buildSearchUrl(hanbit, 'airpods', 1)).offers).toHaveLength(20);
  });
});

describe('offer links', () => {
  const item = (href: string, src = '/hanbit/img/1.jpg') =>
    `<li class="prd-item"><a class="prd-link" href="${href}"><img class="prd-thumb" src="${src}"><span class="prd-name">x</span></a><span class="prd-price">1원</span></li>`;
  const read = (items: string[], site: SiteDescription = hanbit, linkOrigins: string[] = []) =>
    extractOffers(`<ul>${items.join('')}</ul>`, site, `${ORIGIN}/hanbit/search?q=x&page=1`, linkOrigins).offers;

  it('keeps absolute http(s) links on the site, relative ones resolved', () => {
    expect(read([item('/hanbit/goods/1'), item(`${ORIGIN}/hanbit/goods/2`, `${ORIGIN}/hanbit/img/2.jpg`)])).toEqual([
      { title: 'x', price: 1, currency: 'KRW', url: `${ORIGIN}/hanbit/goods/1`, imageUrl: `${ORIGIN}/hanbit/img/1.jpg`, model: null },
      { title: 'x', price: 1, currency: 'KRW', url: `${ORIGIN}/hanbit/goods/2`, imageUrl: `${ORIGIN}/hanbit/img/2.jpg`, model: null },
    ]);
  });

  it.each([
    ['protocol-relative', '//evil.example/x'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,hi'],
    ['another host', 'https://evil.example/hanbit/goods/1'],
    ['another port of the same host', 'http://127.0.0.1:4101/hanbit/goods/1'],
    ['https on the same host (another origin)', 'https://127.0.0.1:4100/hanbit/goods/1'],
    ['a metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['an internal host', 'http://10.0.0.7:8080/admin'],
    ['credentials', 'http://admin:secret@127.0.0.1:4100/hanbit/goods/1'],
  ])('drops an offer whose link is %s and keeps the rest', (_, href) => {
    const offers = read([item(href), item('/hanbit/goods/9')]);
    expect(offers.map((o) => o.url)).toEqual([`${ORIGIN}/hanbit/goods/9`]);
  });

  it('refuses a page whose every link leads off the site as a layout change, with nothing made up', () => {
    expect(() => read([item('//evil.example/1'), item('http://10.0.0.1/2')])).toThrow(SiteLayoutError);
  });

  it('keeps an offer whose image is off the site, with imageUrl null', () => {
    for (const src of ['//cdn.evil.example/1.jpg', 'http://169.254.169.254/1.jpg', 'javascript:alert(1)', 'data:image/gif;base64,R0lGOD']) {
      expect(read([item('/hanbit/goods/1', src)])).toEqual([
        { title: 'x', price: 1, currency: 'KRW', url: `${ORIGIN}/hanbit/goods/1`, imageUrl: null, model: null },
      ]);
    }
  });

  it('allows the origins the site description names and the mall homepage the caller gives', () => {
    const withCdn = { ...hanbit, allowedOrigins: ['https://img.hanbit.example'] };
    const offers = read([item('https://shop.hanbit.example/goods/1', 'https://img.hanbit.example/1.jpg')], withCdn, ['https://shop.hanbit.example/hanbit/']);
    expect(offers).toMatchObject([{ url: 'https://shop.hanbit.example/goods/1', imageUrl: 'https://img.hanbit.example/1.jpg' }]);
    expect(() => read([item('/x')], { ...hanbit, allowedOrigins: ['ftp://files.example'] })).toThrow(/hanbit: "ftp:\/\/files.example" is not an http\(s\) URL/);
  });
});

describe('buildSearchUrl', () => {
  it('percent-encodes UTF-8 keywords and resolves against the homepage', () => {
    expect(buildSearchUrl(hanbit, '에어팟 프로', 2)).toBe(`${ORIGIN}/hanbit/search?q=%EC%97%90%EC%96%B4%ED%8C%9F%20%ED%94%84%EB%A1%9C&page=2`);
    expect(buildSearchUrl(sejong, 'a&b=c#d', 1)).toBe(`${ORIGIN}/sejong/shop/search?keyword=a%26b%3Dc%23d&pg=1`);
    expect(buildSearchUrl(createHanbitSite(`${ORIGIN}/hanbit`), 'x', 1)).toBe(`${ORIGIN}/hanbit/search?q=x&page=1`);
  });

  it('percent-encodes EUC-KR bytes for EUC-KR sites, characters it lacks as numeric references', () => {
    expect(buildSearchUrl(daehan, '에어팟', 1)).toBe(`${ORIGIN}/daehan/shop/goods_search.php?searchword=%BF%A1%BE%EE%C6%CC&page=1`);
    expect(buildSearchUrl(daehan, 'ipad 2', 3)).toContain('searchword=ipad%202&page=3');
    expect(buildSearchUrl(daehan, '🎧', 1)).toContain('searchword=%26%23127911%3B&');
  });

  it('refuses a page number that is not a positive integer', () => {
    expect(() => buildSearchUrl(hanbit, 'x', 0)).toThrow(RangeError);
    expect(() => buildSearchUrl(hanbit, 'x', 1.5)).toThrow(/hanbit: page must be a positive integer/);
  });
});

describe('decodePage', () => {
  const euckr = (html: string) => iconv.encode(html, 'euc-kr');

  it('uses the Content-Type charset first', () => {
    expect(decodePage(euckr('<p>대한마켓</p>'), 'text/html; charset="EUC-KR"')).toBe('<p>대한마켓</p>');
    expect(decodePage(Buffer.from('<meta charset="euc-kr">한빛', 'utf8'), 'text/html;charset=utf-8')).toContain('한빛');
  });

  it('sniffs <meta charset> and <meta http-equiv> in the first 1024 bytes', () => {
    expect(decodePage(euckr('<meta charset=euc-kr><p>대한</p>'), 'text/html')).toContain('대한');
    expect(decodePage(euckr('<META HTTP-EQUIV="Content-Type" CONTENT="text/html;charset=ks_c_5601-1987"><p>대한</p>'), null)).toContain('대한');
    const late = Buffer.concat([Buffer.from(' '.repeat(1100)), euckr('<meta charset="euc-kr">대한')]);
    expect(pageCharset(late, null)).toBe('utf-8');
  });

  it('falls back to UTF-8, honours a BOM and ignores unknown labels', () => {
    expect(decodePage(Buffer.from('<p>세종</p>'), null)).toBe('<p>세종</p>');
    expect(decodePage(Buffer.from('\uFEFF<p>세종</p>'), 'text/html; charset=euc-kr')).toBe('<p>세종</p>');
    expect(pageCharset(Buffer.from('x'), 'text/html; charset=no-such-charset')).toBe('utf-8');
  });
});

describe('parseText', () => {
  it('parseWonPrice reads the usual won formats and nothing else', () => {
    expect(parseWonPrice('1,290,000원')).toBe(1_290_000);
    expect(parseWonPrice(' ₩1,290,000 ')).toBe(1_290_000);
    expect(parseWonPrice('￦ 990')).toBe(990);
    expect(parseWonPrice('KRW 15,900')).toBe(15_900);
    expect(parseWonPrice('판매가 1,290,000 원')).toBe(1_290_000);
    expect(parseWonPrice('1290000')).toBe(1_290_000);
    for (const text of ['가격문의', '', '품절', '0원', '99,999,999,999원', '3개 남음']) expect(parseWonPrice(text)).toBeNull();
  });

  it('modelInParentheses passes over brands and Korean names', () => {
    expect(modelInParentheses('[Apple] 에어팟 Pro 2 (MQD011FKH/A)')).toBe('MQD011FKH/A');
    expect(modelInParentheses('Samsung Galaxy 정품 [SM-S300XKH/A] (정품)')).toBe('SM-S300XKH/A');
    expect(modelInParentheses('Apple AirPods 1세대 (에어팟 1)')).toBeNull();
    expect(modelInParentheses('[LG] 그램 16')).toBeNull();
    expect(modelCode(' mqd000bkh/a ')).toBe('MQD000BKH/A');
    expect(modelCode('Apple')).toBeNull();
  });
});
