import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postGraphQL } from '../support/graphqlClient.ts';
import { startInProcessGateway, type InProcessGateway } from '../support/inProcessGateway.ts';
import { scrape } from '../support/prometheusText.ts';
import { startOwners, startTicker, writeTickerOwnersConfig, type TestSubgraph } from '../support/subscriptionSubgraphs.ts';
import { waitFor } from '../support/waitFor.ts';

let dir: string;
let ticker: TestSubgraph;
let owners: TestSubgraph;
let gateway: InProcessGateway;
let gatewayUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-gateway-metrics-'));
  [ticker, owners] = await Promise.all([startTicker(), startOwners()]);
  const config = writeTickerOwnersConfig(dir, ticker, owners);
  gateway = await startInProcessGateway({ SUPERGRAPH_CONFIG: config, GATEWAY_SUBGRAPH_DEADLINE_MS: '2000' });
  gatewayUrl = gateway.url;
});
afterAll(async () => {
  await gateway?.close();
  await Promise.all([ticker?.close(), owners?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const metrics = () => scrape(`${gatewayUrl}/metrics`);

describe('gateway metrics at /metrics', () => {
  it('name the supergraph served, in Prometheus text', async () => {
    const ready = (await (await fetch(`${gatewayUrl}/readyz`)).json()) as { supergraph: { id: string } };
    const page = await metrics();
    expect(page.contentType).toMatch(/^text\/plain/);
    expect(page.value('gatehouse_gateway_supergraph_info', { id: ready.supergraph.id })).toBe(1);
    expect(page.value('gatehouse_gateway_supergraph_switches_total')).toBe(1);
    expect(page.value('gatehouse_gateway_supergraph_rejected')).toBe(0);
    // ticker, owners and the generated mall directory.
    expect(page.value('gatehouse_gateway_open_data_sources')).toBe(3);
    // The process's own figures come along.
    expect(page.value('gatehouse_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('count operations by outcome and time each subgraph fetch', async () => {
    const before = await metrics();
    expect((await postGraphQL(`${gatewayUrl}/graphql`, '{ tickerHealth ownersHealth }')).errors).toBeUndefined();
    expect((await postGraphQL(`${gatewayUrl}/graphql`, '{ noSuchField }')).errors?.[0]?.message).toMatch(/noSuchField/);
    const after = await metrics();
    const moved = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(moved('gatehouse_gateway_operations_total', { type: 'query', outcome: 'ok' })).toBe(1);
    expect(moved('gatehouse_gateway_operations_total', { type: 'invalid', outcome: 'failed' })).toBe(1);
    expect(moved('gatehouse_gateway_operation_duration_seconds_count', { type: 'query' })).toBe(1);
    // The query planner sent one fetch to each subgraph; the invalid operation none.
    expect(moved('gatehouse_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'ticker', outcome: 'ok' })).toBe(1);
    expect(moved('gatehouse_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'owners', outcome: 'ok' })).toBe(1);
  });

  it('gauge the subscriptions the process streams, back to zero when clients leave', async () => {
    const client = createClient({ url: `${gatewayUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    try {
      const streams = [0, 1].map(() => client.iterate({ query: 'subscription { ticks(count: 1000, intervalMs: 50) { n } }' }));
      for (const stream of streams) await stream.next();
      expect((await metrics()).value('gatehouse_gateway_subscriptions_open')).toBe(2);
      await streams[0]!.return!();
      await waitFor('one subscription to end', async () => (await metrics()).value('gatehouse_gateway_subscriptions_open') === 1);
      await streams[1]!.return!();
      await waitFor('the other to end', async () => (await metrics()).value('gatehouse_gateway_subscriptions_open') === 0);
    } finally {
      await client.dispose();
    }
  });

  it('tell a subgraph that is down from one that answers', async () => {
    const before = await metrics();
    await owners.close();
    const result = await postGraphQL(`${gatewayUrl}/graphql`, '{ tickerHealth ownersHealth }');
    expect(result.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    const after = await metrics();
    const moved = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(moved('gatehouse_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'owners', outcome: 'unavailable' })).toBe(1);
    expect(moved('gatehouse_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'ticker', outcome: 'ok' })).toBe(1);
    expect(moved('gatehouse_gateway_operations_total', { type: 'query', outcome: 'partial' })).toBe(1);
  });
});
