import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerNames, deleteTopology } from '../../subgraphs/approval/broker/topology.ts';
import { eventsUrlOf } from '../../subgraphs/approval/events/postEvents.ts';
import { signBody } from '../../subgraphs/approval/events/verifySignature.ts';
import { subscriberClient, watch } from '../support/approvalSubscriptions.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { fetchTrace, jaegerAvailable, startJaeger, type Jaeger, type JaegerSpan, type JaegerTrace } from '../support/startJaeger.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';
import { waitFor } from '../support/waitFor.ts';

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const MALLS = ['daehan', 'hanbit', 'sejong'];
const SEARCH = `query ($keyword: String!) { malls { id search(keyword: $keyword, first: 5) { offers { title product { id } } error { code } } } }`;

/** A W3C traceparent as a client that traces would send: our own trace and span ids. */
function clientTrace(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** Spans of one trace with their services and parents, for asking who called whom. */
function indexTrace(trace: JaegerTrace) {
  const byId = new Map(trace.spans.map((span) => [span.spanID, span]));
  const service = (span: JaegerSpan) => trace.processes[span.processID]!.serviceName;
  const parentId = (span: JaegerSpan) => span.references.find((ref) => ref.refType === 'CHILD_OF')?.spanID;
  const parent = (span: JaegerSpan) => byId.get(parentId(span) ?? '');
  const find = (serviceName: string, operation: string) => trace.spans.filter((span) => service(span) === serviceName && span.operationName === operation);
  const ancestors = (span: JaegerSpan) => {
    const chain: JaegerSpan[] = [];
    for (let at = parent(span); at; at = parent(at)) chain.push(at);
    return chain;
  };
  const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
  return { service, parentId, parent, find, ancestors, tag, services: new Set(trace.spans.map(service)) };
}

/** The spans an approval event's trace holds once it has reached the gateway's push, per carrier. */
const BROKER_PATH = [
  ['approval', 'approval.ingest'],
  ['approval', 'approval.store.append'],
  ['approval', 'approval.push'],
  ['gateway', 'subscription.push'],
] as const;
const HTTP_PATH = [['approval', 'POST approval /events'], ...BROKER_PATH] as const;

/** Every span of `path` is in Jaeger: services export on their own schedules, so one may land before another. */
function hasSpans(trace: JaegerTrace, path: ReadonlyArray<readonly [string, string]>): boolean {
  const t = indexTrace(trace);
  return path.every(([service, operation]) => t.find(service, operation).length > 0);
}

const canRun = jaegerAvailable();
if (!canRun) console.warn('tracing tests skipped: Go is not installed, so Jaeger cannot be built (scripts/build-jaeger.sh); install Go to run them');

describe.skipIf(!canRun)('traces in a real Jaeger', () => {
  let jaeger: Jaeger;
  let system: TestSystem;
  const brokerPrefix = `test-trace-${randomUUID().slice(0, 8)}`;
  const names = brokerNames(brokerPrefix);
  let broker: ChannelModel | undefined;

  beforeAll(async () => {
    jaeger = await startJaeger();
    system = await startTestSystem({
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl,
      // Spans leave each service within a fifth of a second, so the test waits little.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      // Every service logs JSON lines; the last test reads them.
      LOG_FORMAT: 'json',
      AMQP_URL,
      APPROVAL_BROKER_PREFIX: brokerPrefix,
      // Cold crawls on a busy machine: this test is about the trace, not latency, so no mall may time out.
      MALL_DEADLINE_MS: '15000',
      GATEWAY_SUBGRAPH_DEADLINE_MS: '20000',
    });
  }, 1_800_000); // the first run on a machine builds Jaeger (minutes of CPU)
  afterAll(async () => {
    if (broker) {
      const channel = await broker.createChannel();
      await deleteTopology(channel, names).catch(() => undefined);
      await broker.close().catch(() => undefined);
    }
    await system?.close();
    await jaeger?.close();
  });

  it("follows a search from the client's traceparent through the gateway, the directory, every mall, their site fetches and the catalog", async () => {
    // Untraced, another keyword: each mall starts its page-reading threads, whose first start a loaded
    // machine can stretch past a page's 2 s read budget. The traced search below then crawls cold as well.
    // Another document too, so the traced one is parsed (a document Apollo has cached skips its parse span).
    await postGraphQL(system.graphqlUrl, SEARCH.replace('first: 5', 'first: 4'), { keyword: 'galaxy' });
    const client = clientTrace();
    const { status, data, errors } = await postGraphQL<{ malls: Array<{ id: string; search: { offers: unknown[]; error: unknown } }> }>(
      system.graphqlUrl,
      SEARCH,
      { keyword: 'airpods' },
      { traceparent: client.traceparent },
    );
    expect(status).toBe(200);
    expect(errors).toBeUndefined();
    expect(
      data!.malls.filter((mall) => mall.search.offers.length === 0),
      'malls without offers',
    ).toEqual([]);

    const wanted = ['gateway', 'catalog', ...MALLS.map((id) => `mall-${id}`)];
    const trace = await waitFor(
      `one trace in Jaeger holding ${wanted.join(', ')}`,
      async () => {
        const found = await fetchTrace(jaeger, client.traceId);
        if (!found) return null;
        const t = indexTrace(found);
        // Each service exports in its own batches, and a server span ends (and is sent) after its children.
        return wanted.every((name) => t.services.has(name)) &&
          MALLS.every(
            (id) =>
              t.find(`mall-${id}`, 'site.attempt').length > 0 &&
              t.find(`mall-${id}`, `POST ${id} /graphql`).length > 0 &&
              t.find('gateway', `subgraph ${id}`).length > 0,
          ) &&
          ['POST /graphql', 'graphql.execute', 'subgraph directory', 'subgraph catalog'].every((operation) => t.find('gateway', operation).length > 0) &&
          t.find('catalog', 'POST catalog /graphql').length > 0 &&
          t.find('catalog', 'catalog.lookup').length > 0
          ? found
          : null;
      },
      30_000,
    );
    const t = indexTrace(trace);

    // The gateway continues the client's trace: its request span's parent is the client's span.
    const [request] = t.find('gateway', 'POST /graphql');
    expect(request).toBeDefined();
    expect(t.parentId(request!)).toBe(client.spanId);
    for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.plan', 'graphql.execute']) {
      const [span] = t.find('gateway', phase);
      expect(span, phase).toBeDefined();
      expect(t.parent(span!)?.spanID, `${phase}'s parent`).toBe(request!.spanID);
    }
    // Apollo's own executor spans (gateway.execute, gateway.fetch) sit between ours.
    const [execute] = t.find('gateway', 'graphql.execute');
    const [directory] = t.find('gateway', 'subgraph directory');
    expect(t.ancestors(directory!).map((s) => s.spanID)).toContain(execute!.spanID);

    for (const id of MALLS) {
      // Gateway fetch → the mall's server span → its search → page → crawl → site fetch → attempt.
      const [fetchSpan] = t.find('gateway', `subgraph ${id}`);
      expect(fetchSpan, `the gateway's fetch of ${id}`).toBeDefined();
      expect(t.ancestors(fetchSpan!).map((s) => s.spanID)).toContain(execute!.spanID);
      expect(t.tag(fetchSpan!, 'gatehouse.subgraph.outcome')).toBe('ok');
      expect(t.tag(fetchSpan!, 'gatehouse.subgraph.deadline_ms')).toBeGreaterThan(0);
      const [served] = t.find(`mall-${id}`, `POST ${id} /graphql`);
      expect(t.parent(served!)?.spanID, `${id}'s server span parent`).toBe(fetchSpan!.spanID);
      const attempts = t.find(`mall-${id}`, 'site.attempt');
      for (const attempt of attempts) {
        expect(t.parent(attempt)?.operationName).toBe('site.fetch');
        expect(t.ancestors(attempt).map((s) => s.operationName)).toEqual(
          expect.arrayContaining(['mall.crawl', 'mall.page', 'mall.search', `POST ${id} /graphql`, `subgraph ${id}`, 'POST /graphql']),
        );
      }
      expect(attempts.some((a) => t.tag(a, 'http.response.status_code') === 200 && Number(t.tag(a, 'gatehouse.site.bytes')) > 0)).toBe(true);
      expect(t.find(`mall-${id}`, 'mall.page').map((page) => t.tag(page, 'gatehouse.cache.tier'))).toContain('crawl');
    }
    const catalogFetches = t.find('gateway', 'subgraph catalog');
    const [catalogServed] = t.find('catalog', 'POST catalog /graphql');
    expect(catalogFetches.map((s) => s.spanID)).toContain(t.parent(catalogServed!)?.spanID);
    const [lookup] = t.find('catalog', 'catalog.lookup');
    expect(t.ancestors(lookup!).map((s) => s.spanID)).toContain(catalogServed!.spanID);
  }, 120_000);

  it('follows an approval event from RabbitMQ to the push to its subscriber in one trace', async () => {
    const userId = `u-trace-${randomUUID().slice(0, 8)}`;
    const subscriber = await subscriberClient(system.gatewayUrl, userId);
    const summaries = watch(subscriber);
    try {
      await summaries.next((s) => s.total === 0, 15_000);
      broker = await connect(AMQP_URL);
      const channel = await broker.createConfirmChannel();
      const client = clientTrace();
      const body = JSON.stringify([{ system: 'hr', userId, count: 4, occurredAt: new Date().toISOString(), seq: 1 }]);
      // A producer that traces sends its traceparent among the message's headers.
      await new Promise<void>((done, fail) =>
        channel.publish(
          names.events,
          'hr',
          Buffer.from(body),
          { persistent: true, contentType: 'application/json', headers: { 'x-signature': signBody(body, 'dev-secret-hr'), traceparent: client.traceparent } },
          (error: unknown) => (error ? fail(error instanceof Error ? error : new Error('RabbitMQ refused the message')) : done()),
        ),
      );
      await summaries.next((s) => s.total === 4, 15_000);

      const trace = await waitFor(
        "the event's trace in Jaeger, up to the gateway's push",
        async () => {
          const found = await fetchTrace(jaeger, client.traceId);
          return found && hasSpans(found, BROKER_PATH) ? found : null;
        },
        30_000,
      );
      const t = indexTrace(trace);
      const [ingest] = t.find('approval', 'approval.ingest');
      expect(t.parentId(ingest!)).toBe(client.spanId);
      const [append] = t.find('approval', 'approval.store.append');
      expect(t.parent(append!)?.spanID).toBe(ingest!.spanID);
      const [push] = t.find('approval', 'approval.push');
      expect(t.tag(push!, 'gatehouse.push.sent')).toBe(true);
      expect(t.ancestors(push!).map((s) => s.spanID)).toContain(ingest!.spanID);
      // The gateway's relay of that push to the client's socket is its child.
      const [relayed] = t.find('gateway', 'subscription.push');
      expect(relayed, "the gateway's relay of the push").toBeDefined();
      expect(t.parent(relayed!)?.spanID).toBe(push!.spanID);
    } finally {
      summaries.stop();
      await subscriber.dispose();
    }
  }, 120_000);

  it("follows an event POSTed to /events with the producer's traceparent and tracestate to the gateway's push in one trace", async () => {
    const userId = `u-trace-http-${randomUUID().slice(0, 8)}`;
    const subscriber = await subscriberClient(system.gatewayUrl, userId);
    const summaries = watch(subscriber);
    try {
      await summaries.next((s) => s.total === 0, 15_000);
      const client = clientTrace();
      const tracestate = 'producer=hr-7';
      const body = JSON.stringify([{ system: 'hr', userId, count: 6, occurredAt: new Date().toISOString(), seq: 1 }]);
      const response = await fetch(eventsUrlOf(system.subgraphUrls.approval!), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody(body, 'dev-secret-hr'), traceparent: client.traceparent, tracestate },
        body,
      });
      expect(response.status).toBe(202);
      await summaries.next((s) => s.total === 6, 15_000);

      const trace = await waitFor(
        "the POSTed event's trace in Jaeger, up to the gateway's push",
        async () => {
          const found = await fetchTrace(jaeger, client.traceId);
          return found && hasSpans(found, HTTP_PATH) ? found : null;
        },
        30_000,
      );
      const t = indexTrace(trace);
      // client → POST approval /events → approval.ingest → store append, announce … → approval.push → the gateway's relay.
      const [served] = t.find('approval', 'POST approval /events');
      expect(served, 'the server span of POST /events').toBeDefined();
      expect(t.parentId(served!)).toBe(client.spanId);
      expect(t.tag(served!, 'http.response.status_code')).toBe(202);
      const [ingest] = t.find('approval', 'approval.ingest');
      expect(t.parent(ingest!)?.spanID).toBe(served!.spanID);
      expect(t.tag(ingest!, 'gatehouse.approval.via')).toBe('http');
      const [append] = t.find('approval', 'approval.store.append');
      expect(t.parent(append!)?.spanID).toBe(ingest!.spanID);
      const pushes = t.find('approval', 'approval.push');
      expect(pushes).toHaveLength(1);
      expect(t.tag(pushes[0]!, 'gatehouse.push.sent')).toBe(true);
      expect(t.ancestors(pushes[0]!).map((s) => s.spanID)).toContain(ingest!.spanID);
      const relayed = t.find('gateway', 'subscription.push');
      expect(relayed).toHaveLength(1);
      expect(t.parent(relayed[0]!)?.spanID).toBe(pushes[0]!.spanID);
      expect(t.tag(relayed[0]!, 'gatehouse.subgraph')).toBe('approval');
      // The producer's tracestate travels with its trace, across processes, to the last span.
      for (const span of [served!, ingest!, pushes[0]!, relayed[0]!]) expect(t.tag(span, 'w3c.tracestate'), span.operationName).toBe(tracestate);
    } finally {
      summaries.stop();
      await subscriber.dispose();
    }
  }, 120_000);

  it("logs JSON lines in every service, and a line logged while serving a traced request carries that request's trace id", async () => {
    const fault = (mode: string) => fetch(`${system.demoSitesUrl}/__faults`, { method: 'POST', body: JSON.stringify({ site: 'daehan', mode }) });
    await fault('error500');
    const client = clientTrace();
    try {
      // daehan's site fails: the mall logs why, inside the search's trace, and answers from the (empty) stale cache.
      const { data } = await postGraphQL<{ malls: Array<{ id: string; search: { error: { code: string } | null } }> }>(
        system.graphqlUrl,
        SEARCH,
        { keyword: `logged-${randomUUID().slice(0, 8)}` },
        { traceparent: client.traceparent },
      );
      expect(data!.malls.find((mall) => mall.id === 'daehan')?.search.error?.code).toBeTruthy();
    } finally {
      await fault('ok');
    }
    const logs = () =>
      readdirSync(system.logDir)
        .filter((name) => name.endsWith('.log'))
        .map((name) => ({
          name,
          lines: readFileSync(join(system.logDir, name), 'utf8')
            .split('\n')
            .filter((line) => line !== ''),
        }));
    const traced = await waitFor(
      "daehan's log line in the search's trace",
      () => {
        const lines = logs().find((log) => log.name === 'daehan.log')?.lines ?? [];
        return lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.trace_id === client.traceId) ?? null;
      },
      15_000,
    );
    expect(traced).toMatchObject({ level: 'warn', service: 'mall-daehan' });
    expect(traced.span_id).toMatch(/^[0-9a-f]{16}$/);
    // The logged span id is a span of that trace in Jaeger.
    await waitFor(
      'the span the mall logged under, in Jaeger',
      async () => (await fetchTrace(jaeger, client.traceId))?.spans.some((span) => span.spanID === traced.span_id),
      30_000,
    );

    const services = logs();
    expect(services.map((log) => log.name)).toEqual(
      expect.arrayContaining(['gateway.log', 'registry.log', 'catalog.log', 'approval.log', ...MALLS.map((id) => `${id}.log`)]),
    );
    for (const { name, lines } of services) {
      expect(lines.length, `${name} has lines`).toBeGreaterThan(0);
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`${name} logged a line that is not JSON: ${line.slice(0, 200)}`);
        }
        expect(Object.keys(entry), `${name}: ${line.slice(0, 200)}`).toEqual(expect.arrayContaining(['time', 'level', 'service', 'message']));
      }
    }
  }, 120_000);
});
