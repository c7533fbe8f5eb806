import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../lib/auth/verifyToken.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { portalLinks, runDemoEventSource, type DemoStats } from '../../demo/events/runDemoEventSource.ts';
import { startBrokerIngest } from '../../subgraphs/approval/broker/startBrokerIngest.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import { eventsUrlOf } from '../../subgraphs/approval/events/postEvents.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { approvalIdentity } from '../support/gatewayIdentity.ts';
import { recordingLogger } from '../support/logs.ts';
import { AMQP_URL, openTestBroker, type TestBroker } from '../support/testBroker.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

const SYSTEMS = DEMO_SYSTEMS.map((s) => s.id);

describe('the demo event source', () => {
  const log = recordingLogger();
  const lines = log.lines;
  let database: MongoConnection;
  let subgraph: ApprovalSubgraph;
  let broker: TestBroker;

  beforeAll(async () => {
    database = await createTestDatabase('approval_demo');
    subgraph = await createApprovalSubgraph({
      db: database.db,
      port: 0,
      systems: DEMO_SYSTEMS,
      identity: approvalIdentity,
      changeFeed: createInProcessChangeFeed(),
    });
    broker = await openTestBroker('demo');
  });
  afterAll(async () => {
    await broker?.close();
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
    const reported = /^sent \d+ event batches to http:.* \(\d+ late, \d+ duplicate\); last: \w+ u-http-\d → \d+ \(seq \d+\)$/;
    await waitFor('a report line after more than 20 events', () => source.stats().sent > 20 && lines.some((l) => reported.test(l)));
    await source.close();
    const stats = source.stats();
    expect(stats.failed).toBe(0);
    expect(stats.sent).toBeGreaterThan(20);
    await expectStored(users, stats);
  });

  it('publishes to RabbitMQ when given AMQP_URL, and the broker ingestion stores them', async () => {
    const users = ['u-amqp-1', 'u-amqp-2'];
    const { names, channel } = broker;
    const source = await runDemoEventSource({ eventsUrl: 'http://unused.invalid/events', amqpUrl: AMQP_URL, names, eventsPerSecond: 100, users, log });
    const ingest = await startBrokerIngest({ amqpUrl: AMQP_URL, ingestor: subgraph.ingestor, log, names });
    await waitFor('late and duplicate events among those sent', () => {
      const { sent, late, duplicates } = source.stats();
      return sent > 20 && late + duplicates > 0;
    });
    await source.close();
    const stats = source.stats();
    expect(stats.failed).toBe(0);
    await waitFor('the ingest queue to empty', async () => (await channel.checkQueue(names.ingestQueue)).messageCount === 0);
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
