/**
 * Four demo Korean mall web sites on one `node:http` server, under
 * `/hanbit/`, `/daehan/`, `/sejong/` and `/minguk/`, plus the test hooks
 * `/__stats` and `/__faults`. The mall subgraphs crawl the first three
 * exactly as they would crawl the real thing; `minguk` is there for
 * `gatehouse mall new` to scaffold a fourth mall against.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { hardenServer } from '../../lib/http/hardenServer.ts';
import { httpLimitsFromEnv } from '../../lib/http/httpLimits.ts';
import { daehanSite } from './daehanSite.ts';
import type { DemoMall } from './demoMall.ts';
import { hanbitSite } from './hanbitSite.ts';
import { findListing, paginate, searchListings, type MallId } from './listing.ts';
import { encodeBody, escapeHtml, PLACEHOLDER_GIF, queryParam } from './markup.ts';
import { mingukSite } from './mingukSite.ts';
import { sejongSite } from './sejongSite.ts';
import { parseFaultRequest, SiteControl } from './siteControl.ts';

export interface DemoSitesOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Latency added to every mall page. Default 0. */
  delayMs?: number;
  /** A mall's own latency instead of `delayMs` (e.g. one fast and one slow site, for incremental delivery). */
  siteDelaysMs?: Partial<Record<MallId, number>>;
}

export interface DemoSites {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

const MALLS: Record<MallId, DemoMall> = { hanbit: hanbitSite, daehan: daehanSite, sejong: sejongSite, minguk: mingukSite };
const MALL_PATH = new RegExp(`^/(${Object.keys(MALLS).join('|')})(/.*)?$`);
const MAX_KEYWORD_CHARS = 200;
const MAX_PAGE = 10_000;
const MAX_CONTROL_BODY = 16 * 1024;
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export async function createDemoSites(options: DemoSitesOptions = {}): Promise<DemoSites> {
  const { port = 0, host = '127.0.0.1', delayMs: defaultDelayMs = 0, siteDelaysMs = {} } = options;
  for (const [site, ms] of Object.entries({ all: defaultDelayMs, ...siteDelaysMs })) {
    if (!Number.isInteger(ms) || ms < 0) throw new Error(`the delay of ${site} must be a non-negative integer of milliseconds, got ${ms}`);
  }
  const delayOf = (mall: MallId) => siteDelaysMs[mall] ?? defaultDelayMs;
  const control = new SiteControl();
  const closing = new AbortController();
  let ownHost = `127.0.0.1:${port}`;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (closing.signal.aborted || res.headersSent || res.destroyed) return;
      sendText(res, 500, `demo sites: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1);
    const method = req.method ?? 'GET';

    if (path === '/__stats') {
      if (methodIs(req, res, 'GET', 'HEAD')) sendJson(res, 200, control.snapshot());
      return;
    }
    if (path === '/__stats/reset') {
      if (!methodIs(req, res, 'POST')) return;
      control.resetStats();
      return sendJson(res, 200, control.snapshot());
    }
    if (path === '/__faults') {
      if (method === 'GET') return sendJson(res, 200, control.faultsSnapshot());
      if (!methodIs(req, res, 'POST')) return;
      const body = await readBody(req, MAX_CONTROL_BODY);
      if (body === null) return sendJson(res, 413, { error: `the body is larger than ${MAX_CONTROL_BODY} bytes` });
      const request = parseFaultRequest(body);
      if ('error' in request) return sendJson(res, 400, request);
      control.setFault(request.site, request.mode);
      return sendJson(res, 200, request);
    }

    const match = MALL_PATH.exec(path);
    const mall = match ? MALLS[match[1] as MallId] : undefined;
    if (!match || !mall) return sendText(res, 404, `Not found: ${path.slice(0, 200)}\n`);
    if (match[2] === undefined) {
      res.writeHead(301, { Location: `/${mall.id}/${queryAt === -1 ? '' : `?${rawQuery}`}` }).end();
      return;
    }
    if (!methodIs(req, res, 'GET', 'HEAD')) return;

    const rest = match[2].slice(1);
    const delayMs = delayOf(mall.id);
    // A search is delayed once counted, so the site's in-flight figure includes the wait.
    if (delayMs > 0 && rest !== mall.searchPath) await sleep(delayMs, undefined, { signal: closing.signal });
    const pageHost = typeof req.headers.host === 'string' && HOST_HEADER.test(req.headers.host) ? req.headers.host : ownHost;

    if (rest === '') return sendPage(res, mall, 200, mall.renderHome(pageHost));
    if (rest === mall.searchPath) return search(req, res, mall, rawQuery, pageHost);
    if (/^img\/[\w/-]+\.(?:jpg|gif|png)$/.test(rest)) {
      res.writeHead(200, { 'Content-Type': 'image/gif', 'Content-Length': PLACEHOLDER_GIF.length });
      res.end(PLACEHOLDER_GIF);
      return;
    }
    const no = mall.goodsNo(rest, new URLSearchParams(rawQuery));
    const listing = no === null ? undefined : findListing(mall.id, no);
    if (listing) return sendPage(res, mall, 200, mall.renderGoods(listing, pageHost));
    return sendPage(res, mall, 404, notFoundPage(mall));
  }

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
    if (delayMs > 0) await sleep(delayMs, undefined, { signal: closing.signal });

    let fault = control.fault(mall.id);
    if (fault === 'hang') {
      await control.waitWhileHanging(mall.id);
      if (closing.signal.aborted || res.destroyed) return;
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

  // The same request timeouts and connection cap as every service (lib/http/listen.ts).
  hardenServer(server, httpLimitsFromEnv());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  ownHost = `${urlHost}:${address.port}`;

  return {
    url: `http://${ownHost}`,
    async close() {
      closing.abort();
      control.releaseAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function methodIs(req: IncomingMessage, res: ServerResponse, ...allowed: string[]): boolean {
  if (allowed.includes(req.method ?? 'GET')) return true;
  res.setHeader('Allow', allowed.join(', '));
  sendText(res, 405, `${req.method ?? ''} is not allowed here; use ${allowed.join(' or ')}\n`);
  return false;
}

function sendPage(res: ServerResponse, mall: DemoMall, status: number, html: string): void {
  if (res.destroyed) return;
  const body = encodeBody(html, mall.charset);
  res.writeHead(status, { 'Content-Type': `text/html; charset=${mall.charset}`, 'Content-Length': body.length });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The body as UTF-8 text, or null when it is larger than `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorPage(mall: DemoMall, message: string): string {
  return `<!DOCTYPE html><html><head><meta charset="${mall.charset}"><title>${escapeHtml(mall.name)}</title></head>
<body><h1>${escapeHtml(mall.name)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

function notFoundPage(mall: DemoMall): string {
  return errorPage(mall, '요청하신 페이지를 찾을 수 없습니다.');
}
