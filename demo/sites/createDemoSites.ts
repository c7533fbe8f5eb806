/**
 * Four demo Korean mall web sites on one `node:http` server, under
 * `/hanbit/`, `/daehan/`, `/sejong/` and `/minguk/`, plus the test hooks
 * `/__stats` and `/__faults`. The mall subgraphs crawl the first three
 * exactly as they would crawl the real thing; `minguk` is there for
 * `gatehouse mall new` to scaffold a fourth mall against.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hardenServer } from '../../lib/http/hardenServer.ts';
import { httpLimitsFromEnv } from '../../lib/http/httpLimits.ts';
import { createMallPages } from './createMallPages.ts';
import { handleControlRoute } from './handleControlRoute.ts';
import { sendText } from './httpReplies.ts';
import type { MallId } from './listing.ts';
import { SiteControl } from './siteControl.ts';

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

export async function createDemoSites(options: DemoSitesOptions = {}): Promise<DemoSites> {
  const { port = 0, host = '127.0.0.1', delayMs: defaultDelayMs = 0, siteDelaysMs = {} } = options;
  for (const [site, ms] of Object.entries({ all: defaultDelayMs, ...siteDelaysMs })) {
    if (!Number.isInteger(ms) || ms < 0) throw new Error(`the delay of ${site} must be a non-negative integer of milliseconds, got ${ms}`);
  }
  const control = new SiteControl();
  const closing = new AbortController();
  let ownHost = `127.0.0.1:${port}`;
  const mallPages = createMallPages({
    control,
    delayOf: (mall) => siteDelaysMs[mall] ?? defaultDelayMs,
    closing: closing.signal,
    ownHost: () => ownHost,
  });

  const server = createServer((req, res) => {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? null : target.slice(queryAt + 1);
    handleControlRoute(req, res, path, control)
      .then((handled) => (handled ? undefined : mallPages(req, res, { path, rawQuery })))
      .catch((error: unknown) => {
        if (closing.signal.aborted || res.headersSent || res.destroyed) return;
        sendText(res, 500, `demo sites: ${error instanceof Error ? error.message : String(error)}\n`);
      });
  });

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
