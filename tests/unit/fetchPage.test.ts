import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchPage, MAX_PAGE_BYTES, retryAfterMs, SiteFetchError } from '../../subgraphs/malls/kit/fetchPage.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

const servers: Array<{ close(): void }> = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function site(handler: Handler): Promise<{ url: string; attempts: number[] }> {
  const attempts: number[] = [];
  const server = createServer((req, res) => {
    attempts.push(Date.now());
    handler(req, res, attempts.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/search`, attempts };
}

const options = { budgetMs: 5000, attemptTimeoutMs: 1000, retries: 3, backoffMs: 20 };

describe('fetchPage', () => {
  it('retries a 5xx with backoff and returns the page that finally comes', async () => {
    const { url, attempts } = await site((_req, res, n) => {
      res.writeHead(n < 3 ? 503 : 200, { 'content-type': 'text/html; charset=utf-8' }).end(n < 3 ? 'busy' : '<p>ok</p>');
    });
    const page = await fetchPage(url, options);
    expect(page.body.toString()).toBe('<p>ok</p>');
    expect(page.contentType).toContain('utf-8');
    expect(attempts).toHaveLength(3);
  });

  it('waits as long as a 429 Retry-After asks before trying again', async () => {
    const { url, attempts } = await site((_req, res, n) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(200).end('fine');
    });
    await fetchPage(url, options);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(950);
  });

  it('gives up with SITE_UNAVAILABLE after the last retry', async () => {
    const { url, attempts } = await site((_req, res) => res.writeHead(500).end());
    await expect(fetchPage(url, options)).rejects.toMatchObject({ code: 'SITE_UNAVAILABLE', message: expect.stringContaining('answered 500') });
    expect(attempts).toHaveLength(4);
  });

  it('does not retry a 404', async () => {
    const { url, attempts } = await site((_req, res) => res.writeHead(404).end());
    await expect(fetchPage(url, options)).rejects.toMatchObject({ code: 'SITE_REJECTED' });
    expect(attempts).toHaveLength(1);
  });

  it('stops at the budget when the site never answers', async () => {
    const { url } = await site(() => undefined);
    const error = await fetchPage(url, { ...options, budgetMs: 300, attemptTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SiteFetchError);
    expect((error as SiteFetchError).code).toBe('SITE_TIMEOUT');
  });

  it('refuses a page larger than the limit instead of buffering it', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const { url } = await site((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i <= MAX_PAGE_BYTES / chunk.length; i++) res.write(chunk);
      res.end();
    });
    await expect(fetchPage(url, options)).rejects.toMatchObject({ code: 'PAGE_TOO_LARGE' });
  });

  it('reports an unreachable site as SITE_UNREACHABLE', async () => {
    await expect(fetchPage('http://127.0.0.1:1/search', { ...options, retries: 0 })).rejects.toMatchObject({ code: 'SITE_UNREACHABLE' });
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, caps hostile values, ignores junk', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(retryAfterMs('999999')).toBe(60_000);
    expect(retryAfterMs('-5')).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
