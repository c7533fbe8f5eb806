import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { daehanSite } from './daehanSite.ts';
import type { DemoMall } from './demoMall.ts';
import { hanbitSite } from './hanbitSite.ts';
import { methodIs, sendText } from './httpReplies.ts';
import { findListing, paginate, searchListings, type MallId } from './listing.ts';
import { encodeBody, escapeHtml, PLACEHOLDER_GIF, queryParam } from './markup.ts';
import { mingukSite } from './mingukSite.ts';
import { sejongSite } from './sejongSite.ts';
import type { SiteControl } from './siteControl.ts';

const MALLS: Record<MallId, DemoMall> = { hanbit: hanbitSite, daehan: daehanSite, sejong: sejongSite, minguk: mingukSite };
const MALL_PATH = new RegExp(`^/(${Object.keys(MALLS).join('|')})(/.*)?$`);
const MAX_KEYWORD_CHARS = 200;
const MAX_PAGE = 10_000;
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export interface MallPagesOptions {
  control: SiteControl;
  delayOf(mall: MallId): number;
  /** Aborted when the sites close: waits end, hung searches give up. */
  closing: AbortSignal;
  /** `host:port` the server listens on, for links when the request's Host header is unusable. */
  ownHost(): string;
}

/** What a request under `/<mall>/…` asks for. */
export interface MallRequest {
  path: string;
  /** The query string without `?`, or null when the URL had none. */
  rawQuery: string | null;
}

export type MallPages = (req: IncomingMessage, res: ServerResponse, request: MallRequest) => Promise<void>;

/** Each mall's home, search, goods and image pages, with its delay and the faults tests set on it. */
export function createMallPages(options: MallPagesOptions): MallPages {
  const { control, delayOf, closing } = options;

  async function search(req: IncomingMessage, res: ServerResponse, mall: DemoMall, rawQuery: string, pageHost: string): Promise<void> {
    const keyword = (queryParam(rawQuery, mall.keywordParam, mall.charset) ?? '').trim();
    if (!keyword) return sendText(res, 400, `${mall.id}: the search needs a keyword in "${mall.keywordParam}"\n`);
    if ([...keyword].length > MAX_KEYWORD_CHARS) {
      return sendText(res, 400, `${mall.id}: the keyword is longer than ${MAX_KEYWORD_CHARS} characters\n`);
    }
    const pageText = queryParam(rawQuery, mall.pageParam, 'utf-8') ?? '1';
    // Like real malls, a missing or nonsense page number means the first page.
    const page = /^\d{1,5}$/.test(pageText) ? Math.min(Math.max(Number(pageText), 1), MAX_PAGE) : 1;
    res.once('close', control.countSearch(mall.id, keyword));
    const delayMs = delayOf(mall.id);
    if (delayMs > 0) await sleep(delayMs, undefined, { signal: closing });

    let fault = control.fault(mall.id);
    if (fault === 'hang') {
      await control.waitWhileHanging(mall.id);
      if (closing.aborted || res.destroyed) return;
      fault = control.fault(mall.id);
    }
    if (fault === 'error500') return sendPage(res, mall, 500, errorPage(mall, '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.'));
    if (fault === 'rateLimit') {
      res.setHeader('Retry-After', '1');
      return sendPage(res, mall, 429, errorPage(mall, '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.'));
    }
    const view = { keyword, slice: paginate(searchListings(mall.id, keyword), page, mall.pageSize), host: pageHost };
    if (fault === 'broken') return sendPage(res, mall, 200, mall.renderBroken(view));
    return sendPage(res, mall, 200, mall.renderSearch(view));
  }

  return async (req, res, { path, rawQuery }) => {
    const match = MALL_PATH.exec(path);
    const mall = match ? MALLS[match[1] as MallId] : undefined;
    if (!match || !mall) return sendText(res, 404, `Not found: ${path.slice(0, 200)}\n`);
    if (match[2] === undefined) {
      res.writeHead(301, { Location: `/${mall.id}/${rawQuery === null ? '' : `?${rawQuery}`}` }).end();
      return;
    }
    if (!methodIs(req, res, 'GET', 'HEAD')) return;

    const rest = match[2].slice(1);
    const delayMs = delayOf(mall.id);
    // A search is delayed once counted, so the site's in-flight figure includes the wait.
    if (delayMs > 0 && rest !== mall.searchPath) await sleep(delayMs, undefined, { signal: closing });
    const pageHost = typeof req.headers.host === 'string' && HOST_HEADER.test(req.headers.host) ? req.headers.host : options.ownHost();

    if (rest === '') return sendPage(res, mall, 200, mall.renderHome(pageHost));
    if (rest === mall.searchPath) return search(req, res, mall, rawQuery ?? '', pageHost);
    if (/^img\/[\w/-]+\.(?:jpg|gif|png)$/.test(rest)) {
      res.writeHead(200, { 'Content-Type': 'image/gif', 'Content-Length': PLACEHOLDER_GIF.length });
      res.end(PLACEHOLDER_GIF);
      return;
    }
    const no = mall.goodsNo(rest, new URLSearchParams(rawQuery ?? ''));
    const listing = no === null ? undefined : findListing(mall.id, no);
    if (listing) return sendPage(res, mall, 200, mall.renderGoods(listing, pageHost));
    return sendPage(res, mall, 404, errorPage(mall, '요청하신 페이지를 찾을 수 없습니다.'));
  };
}

function sendPage(res: ServerResponse, mall: DemoMall, status: number, html: string): void {
  if (res.destroyed) return;
  const body = encodeBody(html, mall.charset);
  res.writeHead(status, { 'Content-Type': `text/html; charset=${mall.charset}`, 'Content-Length': body.length });
  res.end(body);
}

function errorPage(mall: DemoMall, message: string): string {
  return `<!DOCTYPE html><html><head><meta charset="${mall.charset}"><title>${escapeHtml(mall.name)}</title></head>
<body><h1>${escapeHtml(mall.name)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}
