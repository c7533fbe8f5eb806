import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../lib/auth/verifyToken.ts';
import type { Logger } from '../../lib/log.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { portalLinks, runDemoEventSource, type DemoStats } from '../../demo/events/runDemoEventSource.ts';
import { startBrokerIngest } from '../../subgraphs/approval/broker/startBrokerIngest.ts';
import { brokerNames, deleteTopology } from '../../subgraphs/approval/broker/topology.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import { eventsUrlOf } from '../../subgraphs/approval/events/postEvents.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { approvalIdentity } from '../support/gatewayIdentity.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const SYSTEMS = DEMO_SYSTEMS.map((s) => s.id);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the demo event source', () => {
  const names = brokerNames(`test-demo-${randomUUID().slice(0, 8)}`);
  const lines: string[] = [];
  const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  let database: MongoConnection;
  let subgraph: ApprovalSubgraph;
  let producer: ChannelModel;
  let channel: ConfirmChannel;

  beforeAll(async () => {
    database = await createTestDatabase('approval_demo');
    subgraph = await createApprovalSubgraph({
      db: database.db,
      port: 0,
      systems: DEMO_SYSTEMS,
      identity: approvalIdentity,
      changeFeed: createInProcessChangeFeed(),
    });
    producer = await connect(AMQP_URL);
    channel = await producer.createConfirmChannel();
  });
  afterAll(async () => {
    if (channel) await deleteTopology(channel, names).catch(() => undefined);
    await producer?.close().catch(() => undefined);
    await subgraph?.close();
    await database?.close();
  });

  const expectStored = async (users: string[], stats: DemoStats) => {
    const store = createApprovalStore(database.db);
    for (const userId of users) {
      const states = await store.readStates(userId, SYSTEMS);
      const expected = SYSTEMS.flatMap((system) => {
        const e = stats.newest.get(`${userId}|${system}`);
        return e ? [{ system, seq: e.seq, count: e.count }] : [];
      });
      expect(
        states.map((s) => ({ system: s.system, seq: s.seq, count: s.count })),
        userId,
      ).toEqual(expected);
    }
  };

  it('posts events over HTTP and the store keeps the newest of each pair', async () => {
    const users = ['u-http-1', 'u-http-2'];
    const source = await runDemoEventSource({ eventsUrl: eventsUrlOf(subgraph.url), eventsPerSecond: 100, users, log, reportEveryMs: 300 });
    await pause(1500);
    await source.close();
    const stats = source.stats();
    expect(stats.failed).toBe(0);
    expect(stats.sent).toBeGreaterThan(20);
    expect(lines.some((l) => /^sent \d+ event batches to http:.* \(\d+ late, \d+ duplicate\); last: \w+ u-http-\d → \d+ \(seq \d+\)$/.test(l))).toBe(true);
    await expectStored(users, stats);
  });

  it('publishes to RabbitMQ when given AMQP_URL, and the broker ingestion stores them', async () => {
    const users = ['u-amqp-1', 'u-amqp-2'];
    const source = await runDemoEventSource({ eventsUrl: 'http://unused.invalid/events', amqpUrl: AMQP_URL, names, eventsPerSecond: 100, users, log });
    const ingest = await startBrokerIngest({ amqpUrl: AMQP_URL, ingestor: subgraph.ingestor, log, names });
    await pause(1500);
    await source.close();
    const stats = source.stats();
    expect(stats.failed).toBe(0);
    expect(stats.late + stats.duplicates).toBeGreaterThan(0);
    for (let i = 0; i < 200 && (await channel.checkQueue(names.ingestQueue)).messageCount > 0; i++) await pause(50);
    await ingest.close();
    await expectStored(users, stats);
  });

  it('makes portal links whose token names the user', async () => {
    const [link] = await portalLinks(['u-1001'], 'secret', 'http://localhost:4000/portal/');
    const token = /#token=(.+)$/.exec(link!.url)?.[1];
    expect(link!.url.startsWith('http://localhost:4000/portal/#token=')).toBe(true);
    expect(await verifyToken(token!, 'secret')).toEqual({ userId: 'u-1001' });
  });
});
