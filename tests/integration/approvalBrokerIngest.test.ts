import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, GetMessage } from 'amqplib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { publishEvents, UnroutableBatchError } from '../../subgraphs/approval/broker/publishEvents.ts';
import { startBrokerIngest, type BrokerIngest, type BrokerIngestOptions } from '../../subgraphs/approval/broker/startBrokerIngest.ts';
import { brokerNames, type BrokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import type { OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import type { BatchIngestor } from '../../subgraphs/approval/ingest/ingestBatch.ts';
import { createApprovalLog } from '../../subgraphs/approval/store/approvalLog.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { approvalIdentity, assertionFor } from '../support/gatewayIdentity.ts';
import { recordingLogger, silentLogger as quiet } from '../support/logs.ts';
import { AMQP_URL, openTestBroker, type TestBroker } from '../support/testBroker.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

const secretOf = (system: string) => DEMO_SYSTEMS.find((s) => s.id === system)?.secret ?? 'unknown';
const event = (overrides: Partial<OutgoingEvent> = {}): OutgoingEvent => ({
  system: 'hr',
  userId: 'u-reject',
  count: 3,
  occurredAt: '2026-11-22T06:00:00Z',
  seq: 1,
  ...overrides,
});

describe('approval events over RabbitMQ', () => {
  let broker: TestBroker;
  let names: BrokerNames;
  let database: MongoConnection;
  let subgraph: ApprovalSubgraph;
  let channel: ConfirmChannel;
  let ingest: BrokerIngest | undefined;
  const log = recordingLogger(['warn']);
  const warnings = log.lines;

  const start = async (overrides: Partial<BrokerIngestOptions> = {}) => {
    ingest = await startBrokerIngest({ amqpUrl: AMQP_URL, ingestor: subgraph.ingestor, log, names, retryDelays: { initialMs: 20, maxMs: 100 }, ...overrides });
  };
  /** Closing hands back anything unacked, so an empty queue afterwards means every batch was acked. */
  const stopAndExpectDrained = async () => {
    await waitFor('the ingest queue to empty', async () => (await channel.checkQueue(names.ingestQueue)).messageCount === 0);
    await ingest?.close();
    ingest = undefined;
    expect(await broker.readyAfterConsumersLeft()).toBe(0);
  };
  /** Events of this user in the log. */
  const storedFor = async (userId: string) =>
    (await createApprovalLog(database.db).readAfter(0)).flatMap((entry) => entry.events).filter((e) => e.userId === userId).length;

  beforeAll(async () => {
    database = await createTestDatabase('approval_broker');
    subgraph = await createApprovalSubgraph({
      db: database.db,
      port: 0,
      systems: DEMO_SYSTEMS,
      identity: approvalIdentity,
      changeFeed: createInProcessChangeFeed(),
    });
    broker = await openTestBroker('ingest');
    ({ names, channel } = broker);
    await start(); // declares the topology
    await ingest?.close();
    ingest = undefined;
  });
  beforeEach(async () => {
    warnings.length = 0;
    await channel.purgeQueue(names.deadQueue);
  });
  afterEach(async () => {
    await ingest?.close();
    ingest = undefined;
  });
  afterAll(async () => {
    await broker?.close();
    await subgraph?.close();
    await database?.close();
  });

  it('stores published batches, whatever their order, and acks them', async () => {
    await start();
    const users = ['u-b1', 'u-b2', 'u-b3'];
    const batches: Array<[string, OutgoingEvent[]]> = [];
    const newest = new Map<string, OutgoingEvent>();
    for (const system of ['hr', 'finance', 'security']) {
      for (let seq = 1; seq <= 30; seq++) {
        const userId = users[seq % users.length]!;
        const e = event({ system, userId, seq, count: (seq * 7) % 13, occurredAt: new Date(Date.UTC(2026, 10, 22) + seq * 1000).toISOString() });
        newest.set(`${userId}|${system}`, e);
        batches.push([system, [e]]);
      }
    }
    // Newest first and every batch twice: the seq rule must still keep the newest.
    const deliveries = [...batches].reverse().concat(batches);
    await Promise.all(deliveries.map(([system, events]) => publishEvents(channel, system, events, secretOf(system), { names })));

    for (const userId of users) {
      const token = await assertionFor(userId);
      const expected = ['finance', 'hr', 'security'].flatMap((system) => {
        const e = newest.get(`${userId}|${system}`);
        return e && e.count > 0 ? [{ system: { id: system }, count: e.count }] : [];
      });
      await waitFor(`${userId}'s counts`, async () => {
        const result = await postGraphQL<{ me: { approvals: { items: unknown[] } } }>(
          subgraph.url,
          '{ me { approvals { items { system { id } count } } } }',
          undefined,
          { authorization: `Bearer ${token}` },
        );
        return JSON.stringify(result.data?.me.approvals.items) === JSON.stringify(expected);
      });
    }
    await stopAndExpectDrained();
    expect(await channel.get(names.deadQueue)).toBe(false);
  });

  const noSignature = (ch: ConfirmChannel) =>
    new Promise<void>((resolve, reject) =>
      ch.publish(names.events, 'hr', Buffer.from(JSON.stringify([event()])), { persistent: true }, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('RabbitMQ did not confirm the publish')) : resolve(),
      ),
    );

  const cases: Array<[string, (ch: ConfirmChannel) => Promise<void>, number, RegExp]> = [
    ['a bad signature', (ch) => publishEvents(ch, 'hr', [event()], 'not-the-secret', { names }), 401, /^bad signature/],
    ['no signature', noSignature, 401, /^bad signature/],
    ['an unknown system', (ch) => publishEvents(ch, 'nope', [event({ system: 'nope' })], 'whatever', { names }), 401, /^unknown system "nope"$/],
    ['malformed JSON', (ch) => publishEvents(ch, 'hr', '[{"system": "hr",', secretOf('hr'), { names }), 400, /^body is not valid JSON$/],
    [
      "a routing key that is not the events' system",
      (ch) => publishEvents(ch, 'finance', [event()], secretOf('hr'), { names }),
      401,
      /^events name system "hr" but arrived for "finance"$/,
    ],
    [
      '1,001 events',
      (ch) =>
        publishEvents(
          ch,
          'hr',
          Array.from({ length: 1001 }, (_, i) => event({ seq: i })),
          secretOf('hr'),
          { names },
        ),
      400,
      /1001 events; at most 1000/,
    ],
    [
      'a body over 1 MB',
      (ch) => publishEvents(ch, 'hr', [event({ userId: 'x'.repeat(2 * 1024 * 1024) })], secretOf('hr'), { names }),
      400,
      /^body exceeds 1048576 bytes/,
    ],
    [
      'a negative count',
      (ch) => publishEvents(ch, 'hr', [event(), event({ seq: 2, count: -1 })], secretOf('hr'), { names }),
      400,
      /^event 1: count must be a non-negative integer$/,
    ],
  ];

  it.each(cases)('dead-letters %s with the reason, stores nothing and drains the queue', async (_name, send, status, reason) => {
    await start();
    await send(channel);
    const dead = await waitFor('a dead letter', () => channel.get(names.deadQueue, { noAck: true }));
    const headers = dead.properties.headers as Record<string, unknown>;
    expect(headers['x-rejection-reason']).toMatch(reason);
    expect(headers['x-rejection-status']).toBe(status);
    expect(headers['x-original-exchange']).toBe(names.events);
    expect(typeof headers['x-original-routing-key']).toBe('string');
    expect(dead.properties.deliveryMode).toBe(2);
    await stopAndExpectDrained();
    expect(await storedFor('u-reject')).toBe(0);
    expect(warnings.join('\n')).toMatch(/refused a batch from RabbitMQ/);
  });

  it('keeps the original body, signature and routing key on a dead letter', async () => {
    await start();
    const body = JSON.stringify([event({ count: -5 })]);
    await publishEvents(channel, 'hr', body, secretOf('hr'), { names });
    const dead = await waitFor<GetMessage>('a dead letter', () => channel.get(names.deadQueue, { noAck: true }));
    expect(dead.content.toString()).toBe(body);
    expect(dead.fields.routingKey).toBe('hr');
    expect(dead.properties.headers?.['x-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(dead.properties.headers?.['x-original-routing-key']).toBe('hr');
    await stopAndExpectDrained();
  });

  it('retries a batch whose storage failed, then stores it', async () => {
    let failures = 2;
    const flaky: BatchIngestor = {
      ingest: (body, signature, system) => (failures-- > 0 ? Promise.reject(new Error('database down')) : subgraph.ingestor.ingest(body, signature, system)),
    };
    await start({ ingestor: flaky });
    await publishEvents(channel, 'hr', [event({ userId: 'u-flaky', seq: 5 })], secretOf('hr'), { names });
    await waitFor('the stored event', async () => (await storedFor('u-flaky')) > 0);
    await stopAndExpectDrained();
    expect(warnings.join('\n')).toMatch(/storing a batch from RabbitMQ failed \(database down\); the batch goes back to/);
    expect(await channel.get(names.deadQueue)).toBe(false);
  });

  it('refuses to publish when no queue is bound, instead of losing the batch', async () => {
    const unbound = brokerNames(`test-unbound-${randomUUID().slice(0, 8)}`);
    await channel.assertExchange(unbound.events, 'topic', { durable: false, autoDelete: true });
    await expect(publishEvents(channel, 'hr', [event()], secretOf('hr'), { names: unbound })).rejects.toBeInstanceOf(UnroutableBatchError);
    await channel.deleteExchange(unbound.events);
  });
});

describe('a batch that never stores', () => {
  let broker: TestBroker;
  let names: BrokerNames;
  let channel: ConfirmChannel;

  beforeAll(async () => {
    broker = await openTestBroker('limit');
    ({ names, channel } = broker);
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('is dead-lettered by the delivery limit instead of being retried forever', async () => {
    let attempts = 0;
    const broken: BatchIngestor = { ingest: () => (attempts++, Promise.reject(new Error('database down'))) };
    const ingest = await startBrokerIngest({
      amqpUrl: AMQP_URL,
      ingestor: broken,
      log: quiet,
      names,
      deliveryLimit: 2,
      retryDelays: { initialMs: 10, maxMs: 20 },
    });
    try {
      await publishEvents(channel, 'hr', [event()], secretOf('hr'), { names });
      const dead = await waitFor<GetMessage>('a dead letter', () => channel.get(names.deadQueue, { noAck: true }));
      expect(dead.content.toString()).toBe(JSON.stringify([event()]));
      // RabbitMQ 3.x: the first delivery and `deliveryLimit` retries; a broker counting differently may stop one short.
      expect(attempts).toBeGreaterThanOrEqual(2);
      expect(attempts).toBeLessThanOrEqual(3);
      expect((await channel.checkQueue(names.ingestQueue)).messageCount).toBe(0);
    } finally {
      await ingest.close();
    }
  });
});
