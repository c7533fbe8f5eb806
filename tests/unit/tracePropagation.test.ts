import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import { node } from '@opentelemetry/sdk-node';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { relayPush } from '../../gateway/tracing/tracePush.ts';
import { listen } from '../../lib/http/listen.ts';
import { createLogger } from '../../lib/log.ts';
import { createTraceMiddleware } from '../../lib/tracing/createTraceMiddleware.ts';
import { contextFromHeaders, withTraceHeaders } from '../../lib/tracing/traceHeaders.ts';
import { markTracingOn, withSpan } from '../../lib/tracing/tracer.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { createMallSearch } from '../../subgraphs/malls/kit/createMallSearch.ts';
import { createMemoryCrawlCache } from '../../subgraphs/malls/kit/memoryCrawlCache.ts';
import { createSiteLimiter } from '../../subgraphs/malls/kit/siteLimiter.ts';
import { summaryStream } from '../../subgraphs/approval/subscriptions.ts';
import { silentLogger } from '../support/logs.ts';
import { waitFor } from '../support/waitFor.ts';
import type { ApprovalSummary } from '../../subgraphs/approval/summary.ts';

/** The SDK as startTracing registers it (W3C propagation, AsyncLocalStorage context), its spans kept in memory. */
const exporter = new node.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new node.SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register();
  markTracingOn(true);
});
afterAll(async () => {
  markTracingOn(false);
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});
afterEach(() => exporter.reset());

function clientTrace() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=abc,other=1' };
}

const spans = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

describe('W3C trace context through a service', () => {
  it("continues a caller's traceparent and passes its tracestate on to the next hop unchanged", async () => {
    const app = express();
    app.get('/hop', createTraceMiddleware('test /hop'), async (_req, res) => {
      // What a site fetch sends: the headers of a span inside the request's span.
      const sent = await withSpan('site.fetch', {}, async () => withTraceHeaders({ accept: 'text/html' }));
      res.json(sent);
    });
    const server: Server = createServer(app);
    const url = await listen(server);
    try {
      const client = clientTrace();
      const response = await fetch(`${url}/hop`, { headers: { traceparent: client.traceparent, tracestate: client.tracestate } });
      const sent = (await response.json()) as Record<string, string>;

      const [served] = spans('GET test /hop');
      const [fetched] = spans('site.fetch');
      expect(served!.spanContext().traceId).toBe(client.traceId);
      expect(served!.parentSpanContext?.spanId).toBe(client.spanId);
      expect(fetched!.parentSpanContext?.spanId).toBe(served!.spanContext().spanId);
      expect(sent.accept).toBe('text/html');
      expect(sent.traceparent).toBe(`00-${client.traceId}-${fetched!.spanContext().spanId}-01`);
      expect(sent.tracestate).toBe(client.tracestate);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("hands an approval push's trace to the socket, and the gateway's relay of it becomes its child", async () => {
    const client = clientTrace();
    const feed = createInProcessChangeFeed();
    const hr = { id: 'hr', name: 'HR', url: 'https://hr.example/approvals', secret: 'unused' };
    let summary: ApprovalSummary = { total: 0, items: [] };
    const traced: Array<Record<string, string> | undefined> = [];
    const stream = summaryStream(
      'u1',
      feed,
      async () => ({ ...summary }),
      undefined,
      (headers) => traced.push(headers),
    );
    await stream.next(); // the first summary comes from no change: no trace
    summary = { total: 3, items: [{ system: hr, count: 3, updatedAt: new Date(), url: hr.url }] };
    const nextPush = stream.next();
    // The change is announced inside the producer's trace, as ingestion does.
    await context.with(contextFromHeaders({ traceparent: client.traceparent, tracestate: client.tracestate }), () => feed.publish(['u1']));
    await nextPush;
    await stream.return?.();

    expect(traced[0]).toBeUndefined();
    const [push] = spans('approval.push');
    expect(push!.parentSpanContext?.spanId).toBe(client.spanId);
    expect(traced[1]).toEqual({ traceparent: `00-${client.traceId}-${push!.spanContext().spanId}-01`, tracestate: client.tracestate });

    // The gateway receives those headers in the push's extensions.
    const relayed = await relayPush({ data: {}, extensions: traced[1] }, 'approval', 'Counts', async () => ({ errors: [] }));
    expect(relayed).toEqual({ errors: [] });
    const [gatewayPush] = spans('subscription.push');
    expect(gatewayPush!.spanContext().traceId).toBe(client.traceId);
    expect(gatewayPush!.parentSpanContext?.spanId).toBe(push!.spanContext().spanId);
    expect(gatewayPush!.spanContext().traceState?.serialize()).toBe(client.tracestate);
    expect(gatewayPush!.attributes).toMatchObject({ 'gatehouse.subgraph': 'approval', 'graphql.operation.name': 'Counts', 'gatehouse.push.errors': 0 });
  });

  it('starts a trace of its own for a push whose event carries none', async () => {
    const untraced: { data: object; extensions?: unknown } = { data: {} };
    await relayPush(untraced, 'approval', undefined, async () => ({}));
    const [gatewayPush] = spans('subscription.push');
    expect(gatewayPush!.parentSpanContext).toBeUndefined();
  });
});

describe('coalesced crawls', () => {
  it("links a search that joined another's crawl to the page span that started it, in the other trace", async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const limiter = createSiteLimiter({ maxConcurrent: 4, requestsPerSecond: 1000 });
    let joins = 0;
    const search = createMallSearch({
      observer: { answered: () => undefined, crawlShared: () => void joins++ },
      site: { ...createHanbitSite('http://hanbit.test/'), pageSize: 2 },
      limiter,
      log: silentLogger,
      freshMs: 60_000,
      deadlineMs: 5000,
      maxPages: 1,
      fetch: { budgetMs: 5000, attemptTimeoutMs: 1000, retries: 0, backoffMs: 10 },
      cache: createMemoryCrawlCache({ retainMs: 60_000 }),
      source: async () => {
        await held;
        return { offers: [], hasNextPage: false };
      },
    });
    try {
      const [first, second] = [clientTrace(), clientTrace()];
      const searching = [first, second].map((client) => context.with(contextFromHeaders(client), () => search.search('airpods', 2)));
      await waitFor("the second search to join the first one's crawl", () => joins === 1);
      release();
      await Promise.all(searching);
      const pages = spans('mall.page');
      const leader = pages.find((page) => page.spanContext().traceId === first.traceId)!;
      const joiner = pages.find((page) => page.spanContext().traceId === second.traceId)!;
      expect(leader.attributes['gatehouse.crawl.joined']).toBe(false);
      expect(joiner.attributes['gatehouse.crawl.joined']).toBe(true);
      expect(joiner.links.map((link) => link.context.spanId)).toEqual([leader.spanContext().spanId]);
      expect(joiner.links[0]!.context.traceId).toBe(first.traceId);
    } finally {
      release();
      await limiter.close();
    }
  });
});

describe('LOG_FORMAT=json', () => {
  it("writes one JSON object a line, with the active span's trace and span ids while one is active", async () => {
    vi.stubEnv('LOG_FORMAT', 'json');
    vi.stubEnv('LOG_LEVEL', '');
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    try {
      const log = createLogger('mall-daehan');
      log.info('outside any trace');
      const client = clientTrace();
      const spanId = await withSpan('mall.page', {}, async (span) => (log.warn('inside the trace'), span.spanContext().spanId), contextFromHeaders(client));
      const [outside, inside] = written.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(written.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
      expect(outside).toEqual({ time: expect.any(String) as unknown, level: 'info', service: 'mall-daehan', message: 'outside any trace' });
      expect(inside).toMatchObject({ level: 'warn', service: 'mall-daehan', message: 'inside the trace', trace_id: client.traceId, span_id: spanId });
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
