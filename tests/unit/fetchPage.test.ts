import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchPage, MAX_PAGE_BYTES, MAX_REDIRECTS, retryAfterMs, SiteFetchError } from '../../subgraphs/malls/kit/fetchPage.ts';

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

describe('fetchPage redirects', () => {
  const at = (url: string, path: string) => new URL(path, url).toString();

  it('follows a redirect within the site and reports where the page came from', async () => {
    const { url, attempts } = await site((req, res) => {
      if (req.url === '/search') res.writeHead(302, { location: '/results?q=1' }).end();
      else res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${req.url}</p>`);
    });
    const page = await fetchPage(url, options);
    expect(page.body.toString()).toBe('<p>/results?q=1</p>');
    expect(page.url).toBe(at(url, '/results?q=1'));
    expect(attempts).toHaveLength(2);
  });

  it('refuses a redirect to another origin (another port on the same host) without requesting it, and does not retry', async () => {
    const internal = await site((_req, res) => res.writeHead(200).end('<ul><li>internal data</li></ul>'));
    const mall = await site((_req, res) => res.writeHead(302, { location: at(internal.url, '/admin') }).end());
    const error = await fetchPage(mall.url, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SiteFetchError);
    expect(error).toMatchObject({
      code: 'REDIRECT_REFUSED',
      message: `${mall.url} redirected to ${new URL(internal.url).origin}, outside the site's origins (${new URL(mall.url).origin}); add it to the site description's allowedOrigins if it belongs to the site`,
    });
    expect(internal.attempts).toHaveLength(0);
    expect(mall.attempts).toHaveLength(1);
  });

  it.each(['//127.0.0.1:1/x', 'http://169.254.169.254/latest/meta-data/', 'https://127.0.0.1/search', 'javascript:alert(1)'])(
    'refuses a redirect to %s',
    async (location) => {
      const { url } = await site((_req, res) => res.writeHead(301, { location }).end());
      await expect(fetchPage(url, options)).rejects.toMatchObject({ code: 'REDIRECT_REFUSED' });
    },
  );

  it('follows a redirect to an origin the site names in allowedOrigins', async () => {
    const twin = await site((_req, res) => res.writeHead(200).end('twin'));
    const mall = await site((_req, res) => res.writeHead(307, { location: at(twin.url, '/search?q=x') }).end());
    const page = await fetchPage(mall.url, { ...options, allowedOrigins: [mall.url, twin.url] });
    expect(page.body.toString()).toBe('twin');
    expect(page.url).toBe(at(twin.url, '/search?q=x'));
  });

  it(`gives up after ${MAX_REDIRECTS} hops within the site`, async () => {
    const { url, attempts } = await site((_req, res) => res.writeHead(302, { location: `/hop${attempts.length}` }).end());
    await expect(fetchPage(url, options)).rejects.toMatchObject({
      code: 'REDIRECT_REFUSED',
      message: expect.stringContaining(`redirected more than ${MAX_REDIRECTS} times`),
    });
    expect(attempts).toHaveLength(MAX_REDIRECTS + 1);
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
