import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { withTraceHeaders } from '../../../lib/tracing/traceHeaders.ts';
import { withSpan } from '../../../lib/tracing/tracer.ts';

/**
 * Fetches one page from a mall site: a timeout per attempt, retries with
 * exponential backoff on 5xx and 429 (honouring Retry-After), all within an
 * overall budget so a slow site cannot hold a search forever. Redirects are
 * followed only within the site's origins, a few hops at most, so a site
 * cannot turn the crawler onto another host (an internal one) and serve
 * what it finds there as offers.
 */
export interface FetchPageOptions {
  /** Budget for the whole fetch, retries included. */
  budgetMs: number;
  /** Limit for one attempt. */
  attemptTimeoutMs: number;
  retries: number;
  /** First backoff; doubles per retry. */
  backoffMs: number;
  userAgent?: string;
  /**
   * Origins (`http://host:port`) redirects may lead to: scheme, host and port
   * must all match. Default: the origin of the URL fetched.
   */
  allowedOrigins?: Iterable<string>;
  /** Told of every request sent to the site, retries included, once it has ended. */
  onRequest?: (outcome: SiteRequestOutcome, seconds: number) => void;
}

export interface FetchedPage {
  body: Buffer;
  contentType: string | null;
  url: string;
}

export type SiteFetchErrorCode =
  'SITE_TIMEOUT' | 'SITE_UNAVAILABLE' | 'SITE_RATE_LIMITED' | 'SITE_REJECTED' | 'SITE_UNREACHABLE' | 'PAGE_TOO_LARGE' | 'REDIRECT_REFUSED';

export class SiteFetchError extends Error {
  constructor(
    readonly code: SiteFetchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SiteFetchError';
  }
}

/**
 * How one request to the site ended: `ok`; `http_429`; `http_5xx`; `http_4xx`
 * (any other refusal); `timeout`; `network` (no connection); `too_large`;
 * `redirect_refused` (off the site, or too many hops).
 */
export type SiteRequestOutcome = 'ok' | 'http_429' | 'http_5xx' | 'http_4xx' | 'timeout' | 'network' | 'too_large' | 'redirect_refused';

export const SITE_REQUEST_OUTCOMES: readonly SiteRequestOutcome[] = [
  'ok',
  'http_429',
  'http_5xx',
  'http_4xx',
  'timeout',
  'network',
  'too_large',
  'redirect_refused',
];

const OUTCOME_OF: Record<SiteFetchErrorCode, SiteRequestOutcome> = {
  SITE_RATE_LIMITED: 'http_429',
  SITE_UNAVAILABLE: 'http_5xx',
  SITE_REJECTED: 'http_4xx',
  SITE_TIMEOUT: 'timeout',
  SITE_UNREACHABLE: 'network',
  PAGE_TOO_LARGE: 'too_large',
  REDIRECT_REFUSED: 'redirect_refused',
};

/** Search pages are small; anything bigger is not one. */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;

/** Hops followed within the site before giving up, as browsers give up on loops (they allow 20). */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** One span for the whole fetch (`site.fetch`), one per request sent (`site.attempt`), each carrying the trace to the site. */
export function fetchPage(url: string, options: FetchPageOptions): Promise<FetchedPage> {
  return withSpan('site.fetch', { 'url.full': url, 'gatehouse.site.budget_ms': options.budgetMs }, (span) => fetchWithRetries(url, options, span));
}

async function fetchWithRetries(url: string, options: FetchPageOptions, span: Span): Promise<FetchedPage> {
  const deadline = Date.now() + options.budgetMs;
  const origins = new Set([...(options.allowedOrigins ?? [url])].map((allowed) => new URL(allowed).origin));
  let lastError: SiteFetchError = new SiteFetchError('SITE_TIMEOUT', `${url} did not answer within ${options.budgetMs} ms`);
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const started = performance.now();
    span.setAttribute('gatehouse.site.attempts', attempt + 1);
    const outcome = await withSpan('site.attempt', { 'gatehouse.site.attempt': attempt + 1 }, async (attemptSpan) => {
      const result = await attemptFetch(url, Math.min(options.attemptTimeoutMs, remaining), origins, options.userAgent);
      attemptSpan.setAttribute('gatehouse.site.outcome', result.page ? 'ok' : OUTCOME_OF[result.error.code]);
      if (result.status !== undefined) attemptSpan.setAttribute('http.response.status_code', result.status);
      if (result.page) attemptSpan.setAttribute('gatehouse.site.bytes', result.page.body.byteLength);
      else attemptSpan.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message });
      return result;
    });
    options.onRequest?.(outcome.page ? 'ok' : OUTCOME_OF[outcome.error.code], (performance.now() - started) / 1000);
    if (outcome.page) return outcome.page;
    lastError = outcome.error;
    if (!outcome.retryable || attempt === options.retries) break;
    const wait = outcome.retryAfterMs ?? options.backoffMs * 2 ** attempt;
    if (Date.now() + wait >= deadline) break;
    span.addEvent('retry wait', { 'gatehouse.site.retry_wait_ms': wait, 'gatehouse.site.attempt': attempt + 1 });
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  throw lastError;
}

/** `status`: the site's last HTTP status, when it answered at all. */
type Outcome =
  | { page: FetchedPage; error?: undefined; status?: number }
  | { page?: undefined; error: SiteFetchError; retryable: boolean; retryAfterMs?: number; status?: number };

async function attemptFetch(url: string, timeoutMs: number, origins: ReadonlySet<string>, userAgent?: string): Promise<Outcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let at = url;
  for (let hop = 0; ; hop++) {
    try {
      response = await fetch(at, {
        signal,
        headers: withTraceHeaders({ 'user-agent': userAgent ?? 'GatehouseCrawler/1.0', accept: 'text/html' }),
        redirect: 'manual',
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return timedOut
        ? { error: new SiteFetchError('SITE_TIMEOUT', `${url} did not answer within ${timeoutMs} ms`), retryable: true }
        : { error: new SiteFetchError('SITE_UNREACHABLE', `cannot connect to ${at}: ${causeOf(error)}`), retryable: true };
    }
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (location === null) break;
    await response.body?.cancel();
    const next = URL.canParse(location, at) ? new URL(location, at) : null;
    if (!next || !origins.has(next.origin) || next.username || next.password) {
      const where = next ? next.origin : `"${location.slice(0, 100)}"`;
      const message = `${at} redirected to ${where}, outside the site's origins (${[...origins].join(', ')}); add it to the site description's allowedOrigins if it belongs to the site`;
      return { error: new SiteFetchError('REDIRECT_REFUSED', message), retryable: false };
    }
    if (hop === MAX_REDIRECTS) {
      return {
        error: new SiteFetchError('REDIRECT_REFUSED', `${url} redirected more than ${MAX_REDIRECTS} times; fix the site's search path`),
        retryable: false,
      };
    }
    at = next.toString();
  }
  const status = response.status;
  if (status === 429) {
    await response.body?.cancel();
    return {
      error: new SiteFetchError('SITE_RATE_LIMITED', `${url} answered 429 Too Many Requests`),
      retryable: true,
      status,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    return {
      error: new SiteFetchError('SITE_UNAVAILABLE', `${url} answered ${response.status}`),
      retryable: true,
      status,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { error: new SiteFetchError('SITE_REJECTED', `${url} answered ${response.status}`), retryable: false, status };
  }
  try {
    const body = await readLimited(response, url);
    return { page: { body, contentType: response.headers.get('content-type'), url: at }, status };
  } catch (error) {
    if (error instanceof SiteFetchError) return { error, retryable: false, status };
    return { error: new SiteFetchError('SITE_TIMEOUT', `${url} stopped sending within ${timeoutMs} ms`), retryable: true };
  }
}

async function readLimited(response: Response, url: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_PAGE_BYTES) {
    await response.body?.cancel();
    throw new SiteFetchError('PAGE_TOO_LARGE', `${url} sent ${declared} bytes, more than the ${MAX_PAGE_BYTES}-byte page limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_PAGE_BYTES) {
      throw new SiteFetchError('PAGE_TOO_LARGE', `${url} sent more than the ${MAX_PAGE_BYTES}-byte page limit`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Retry-After is seconds or an HTTP date; capped so a site cannot park us. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), 60_000);
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
