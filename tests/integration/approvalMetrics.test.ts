import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { publishEvents } from '../../subgraphs/approval/broker/publishEvents.ts';
import { startBrokerIngest } from '../../subgraphs/approval/broker/startBrokerIngest.ts';
import { brokerNames, deleteTopology } from '../../subgraphs/approval/broker/topology.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import { eventsUrlOf, postEvents, type OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { subscriberClient, watch } from '../support/approvalSubscriptions.ts';
import { scrape, type Scrape } from '../support/prometheusText.ts';
import { approvalIdentity } from '../support/gatewayIdentity.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';
import { silentLogger as quiet } from '../support/logs.ts';

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const secretOf = (system: string) => DEMO_SYSTEMS.find((s) => s.id === system)?.secret ?? 'unknown';
const event = (overrides: Partial<OutgoingEvent> = {}): OutgoingEvent => ({
  system: 'hr',
  userId: 'u-metrics',
  count: 3,
  occurredAt: '2026-11-22T06:00:00Z',
  seq: 1,
  ...overrides,
});

const EVENTS = 'gatehouse_approval_events_total';
const REFUSED = 'gatehouse_approval_batches_refused_total';
const DEAD = 'gatehouse_approval_dead_letters_total';
const FAILED = 'gatehouse_approval_batches_failed_total';
const STORED_BATCHES = 'gatehouse_approval_ingest_duration_seconds_count';
const OPEN = 'gatehouse_approval_subscriptions_open';

let database: MongoConnection;

beforeAll(async () => {
  database = await createTestDatabase('approval_metrics');
});
afterAll(async () => {
  await database?.close();
});

const startSubgraph = () =>
  createApprovalSubgraph({ db: database.db, port: 0, systems: DEMO_SYSTEMS, identity: approvalIdentity, changeFeed: createInProcessChangeFeed(), log: quiet });

describe('approval metrics over HTTP and subscriptions', () => {
  let subgraph: ApprovalSubgraph;
  const metrics = () => scrapeOf(subgraph);

  beforeAll(async () => {
    subgraph = await startSubgraph();
  });
  afterAll(async () => {
    await subgraph?.close();
  });

  it('serves every series at 0 before anything arrives, as Prometheus text', async () => {
    const page = await metrics();
    expect(page.contentType).toMatch(/^text\/plain/);
    for (const system of ['hr', 'finance', 'security']) {
      for (const via of ['http', 'broker']) expect(hasSeries(page, EVENTS, { system, via, outcome: 'applied', service: 'approval' })).toBe(true);
    }
    expect(hasSeries(page, REFUSED, { via: 'http', reason: 'signature' })).toBe(true);
    expect(hasSeries(page, DEAD, { reason: 'signature' })).toBe(true);
    expect(hasSeries(page, FAILED, { via: 'broker' })).toBe(true);
    expect(page.value(STORED_BATCHES, { via: 'http' })).toBe(0);
    expect(page.value(OPEN)).toBe(0);
  });

  it('counts stored events by outcome and refused batches by reason', async () => {
    const url = eventsUrlOf(subgraph.url);
    // One pair thrice: the first seq 2 wins the batch; seq 1 is older and the second seq 2 a repeat.
    expect((await postEvents(url, [event(), event({ seq: 2, count: 5 }), event({ seq: 2, count: 7 })], secretOf('hr'))).body).toEqual({
      accepted: 3,
      applied: 1,
      ignoredAsOld: 2,
    });
    expect((await postEvents(url, [event({ seq: 3 })], 'not-the-secret')).status).toBe(401);
    expect((await postEvents(url, [event({ seq: 4 }), event({ seq: 5, count: -1 })], secretOf('hr'))).status).toBe(400);
    expect((await postEvents(url, [event({ system: 'nope' })], 'whatever')).status).toBe(401);
    expect(
      (
        await postEvents(
          url,
          Array.from({ length: 1001 }, (_, i) => event({ seq: 10 + i })),
          secretOf('hr'),
        )
      ).status,
    ).toBe(400);

    const page = await metrics();
    expect(page.contentType).toMatch(/^text\/plain/);
    expect(page.value(EVENTS, { system: 'hr', via: 'http', outcome: 'applied' })).toBe(1);
    expect(page.value(EVENTS, { system: 'hr', via: 'http', outcome: 'ignored' })).toBe(2);
    expect(page.value(EVENTS, { system: 'finance', via: 'http', outcome: 'applied' })).toBe(0);
    expect(page.value(EVENTS, { system: 'hr', via: 'broker', outcome: 'applied' })).toBe(0);
    expect(page.value(REFUSED, { via: 'http', reason: 'signature' })).toBe(1);
    expect(page.value(REFUSED, { via: 'http', reason: 'malformed' })).toBe(1);
    expect(page.value(REFUSED, { via: 'http', reason: 'unknown_system' })).toBe(1);
    expect(page.value(REFUSED, { via: 'http', reason: 'too_many' })).toBe(1);
    expect(page.value(REFUSED, { via: 'http', reason: 'too_large' })).toBe(0);
    expect(page.value(FAILED, { via: 'http' })).toBe(0);
    // Only the stored batch is timed.
    expect(page.value(STORED_BATCHES, { via: 'http' })).toBe(1);
    expect(page.value(STORED_BATCHES, { via: 'broker' })).toBe(0);
    // No unknown system becomes a label.
    expect(page.text).not.toContain('system="nope"');
  });

  it('counts a body over 1 MB as too_large', async () => {
    const result = await postEvents(eventsUrlOf(subgraph.url), [event({ userId: 'x'.repeat(1024 * 1024) })], secretOf('hr'));
    expect(result.status).toBe(413);
    expect((await metrics()).value(REFUSED, { via: 'http', reason: 'too_large' })).toBe(1);
  });

  it('shows the subscriptions this replica pushes to, and drops them when they end', async () => {
    const base = subgraph.url.replace(/\/graphql$/, '');
    const client = await subscriberClient(base, 'u-metrics', { as: 'gateway' });
    try {
      const first = watch(client);
      await first.next(() => true);
      expect((await metrics()).value(OPEN)).toBe(1);

      const second = watch(client);
      await second.next(() => true);
      expect((await metrics()).value(OPEN)).toBe(2);

      // The client completes one operation; the socket stays up for the other.
      first.stop();
      await waitFor('one open subscription', async () => (await metrics()).value(OPEN) === 1);
    } finally {
      // Closing the socket ends the other.
      await client.dispose();
    }
    await waitFor('no open subscription', async () => (await metrics()).value(OPEN) === 0);
    expect((await metrics()).value(OPEN)).toBe(0);
  });
});

describe('approval metrics over RabbitMQ', () => {
  const names = brokerNames(`test-metrics-${randomUUID().slice(0, 8)}`);
  let subgraph: ApprovalSubgraph;
  let producer: ChannelModel;
  let channel: ConfirmChannel;

  beforeAll(async () => {
    subgraph = await startSubgraph();
    producer = await connect(AMQP_URL);
    channel = await producer.createConfirmChannel();
  });
  afterAll(async () => {
    if (channel) await deleteTopology(channel, names).catch(() => undefined);
    await producer?.close().catch(() => undefined);
    await subgraph?.close();
  });

  it('counts stored events, refused batches and dead letters by reason', async () => {
    const ingest = await startBrokerIngest({ amqpUrl: AMQP_URL, ingestor: subgraph.ingestor, observer: subgraph.ingestObserver, log: quiet, names });
    try {
      await publishEvents(
        channel,
        'finance',
        [event({ system: 'finance', userId: 'u-broker-1' }), event({ system: 'finance', userId: 'u-broker-2' })],
        secretOf('finance'),
        { names },
      );
      await publishEvents(channel, 'finance', [event({ system: 'finance', userId: 'u-broker-1' })], secretOf('finance'), { names });
      await publishEvents(channel, 'hr', [event({ userId: 'u-broker-3' })], 'not-the-secret', { names });
      await publishEvents(channel, 'security', [event({ userId: 'u-broker-4' })], secretOf('hr'), { names });
      await publishEvents(channel, 'hr', '{"system":', secretOf('hr'), { names });

      await waitFor('three dead letters', async () => (await channel.checkQueue(names.deadQueue)).messageCount === 3);
      await waitFor('the ingest queue to drain', async () => (await channel.checkQueue(names.ingestQueue)).messageCount === 0);
    } finally {
      // Lets batches being stored finish, so nothing below is still moving.
      await ingest.close();
    }

    const page = await scrapeOf(subgraph);
    expect(page.contentType).toMatch(/^text\/plain/);
    expect(page.value(EVENTS, { system: 'finance', via: 'broker', outcome: 'applied' })).toBe(2);
    expect(page.value(EVENTS, { system: 'finance', via: 'broker', outcome: 'ignored' })).toBe(1);
    expect(page.value(EVENTS, { system: 'hr', via: 'broker', outcome: 'applied' })).toBe(0);
    expect(page.value(STORED_BATCHES, { via: 'broker' })).toBe(2);
    expect(page.value(REFUSED, { via: 'broker', reason: 'signature' })).toBe(1);
    expect(page.value(REFUSED, { via: 'broker', reason: 'wrong_system' })).toBe(1);
    expect(page.value(REFUSED, { via: 'broker', reason: 'malformed' })).toBe(1);
    expect(page.value(DEAD, { reason: 'signature' })).toBe(1);
    expect(page.value(DEAD, { reason: 'wrong_system' })).toBe(1);
    expect(page.value(DEAD, { reason: 'malformed' })).toBe(1);
    expect(page.value(DEAD, { reason: 'unknown_system' })).toBe(0);
    expect(page.value(FAILED, { via: 'broker' })).toBe(0);
    // Nothing arrived over HTTP on this replica.
    expect(page.value(STORED_BATCHES, { via: 'http' })).toBe(0);
  });
});

function scrapeOf(subgraph: ApprovalSubgraph): Promise<Scrape> {
  return scrape(new URL('/metrics', subgraph.url).toString());
}

/** Whether the page has a sample of `name` with these labels, whatever its value (`value` reads a missing one as 0). */
function hasSeries(page: Scrape, name: string, labels: Record<string, string>): boolean {
  return page.text
    .split('\n')
    .some((line) => line.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)));
}
