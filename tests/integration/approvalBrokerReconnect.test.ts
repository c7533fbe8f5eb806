import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import type { ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createRabbitChangeFeed } from '../../subgraphs/approval/broker/createRabbitChangeFeed.ts';
import { publishEvents } from '../../subgraphs/approval/broker/publishEvents.ts';
import { startBrokerIngest } from '../../subgraphs/approval/broker/startBrokerIngest.ts';
import type { BrokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { approvalIdentity } from '../support/gatewayIdentity.ts';
import { recordingLogger } from '../support/logs.ts';
import { AMQP_URL, openTestBroker, type TestBroker } from '../support/testBroker.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

const FAST = { initialMs: 100, maxMs: 200 };

/** A TCP proxy in front of RabbitMQ that can cut every connection and refuse new ones. */
async function startProxy() {
  const target = new URL(AMQP_URL);
  const sockets = new Set<Socket>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = tcpConnect(Number(target.port || 5672), target.hostname);
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        peer.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(AMQP_URL);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    cut: () => sockets.forEach((socket) => socket.destroy()),
    refuse: (value: boolean) => (refusing = value),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

describe('after losing the RabbitMQ connection', () => {
  const log = recordingLogger(['warn']);
  const warnings = log.lines;
  const lostConnections = () => warnings.filter((w) => w.startsWith('lost RabbitMQ connection')).length;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let broker: TestBroker;
  let names: BrokerNames;
  let channel: ConfirmChannel;

  beforeAll(async () => {
    proxy = await startProxy();
    broker = await openTestBroker('reconnect');
    ({ names, channel } = broker);
  });
  afterAll(async () => {
    await proxy?.close();
    await broker?.close();
  });

  it('the change feed reconnects, notifies every local listener once and sends what was published meanwhile', async () => {
    const behind = await createRabbitChangeFeed({ amqpUrl: proxy.url, log, names, reconnectDelays: FAST });
    const direct = await createRabbitChangeFeed({ amqpUrl: AMQP_URL, log, names });
    try {
      const calls = { u1: 0, u2: 0 };
      behind.subscribe('u-1', () => calls.u1++);
      behind.subscribe('u-2', () => calls.u2++);
      let heardOnDirect = 0;
      direct.subscribe('u-9', () => heardOnDirect++);
      let marker = 0;
      direct.subscribe('u-marker', () => marker++);

      proxy.refuse(true);
      proxy.cut();
      await waitFor('the lost connection to be logged', () => warnings.some((w) => /^lost RabbitMQ connection \(.+\); reconnecting in 0\.1 s$/.test(w)));
      // Disconnected: publishing neither fails nor reaches anyone yet.
      await behind.publish(['u-9']);
      // The broker still delivers what the connected replica publishes, and nothing of the other's.
      await direct.publish(['u-marker']);
      await waitFor('a change published on the connected replica to arrive there', () => marker === 1);
      expect(heardOnDirect).toBe(0);

      proxy.refuse(false);
      await waitFor('the missed change to arrive', () => heardOnDirect === 1);
      await waitFor('every local listener to be told', () => calls.u1 === 1 && calls.u2 === 1);
      // A change sent through the broker after the reconnect comes after anything the reconnect sent.
      let later = 0;
      behind.subscribe('u-later', () => later++);
      await direct.publish(['u-later']);
      await waitFor('a later change to reach the reconnected replica', () => later === 1);
      expect(calls).toEqual({ u1: 1, u2: 1 });
    } finally {
      await behind.close();
      await direct.close();
    }
  });

  it('the change feed refuses to remember more than maxPending users while disconnected', async () => {
    const feed = await createRabbitChangeFeed({ amqpUrl: proxy.url, log, names, maxPending: 2, reconnectDelays: FAST });
    try {
      const lost = lostConnections();
      proxy.refuse(true);
      proxy.cut();
      await waitFor('the feed to notice it is cut off', () => lostConnections() > lost);
      await feed.publish(['u-a', 'u-b', 'u-a']);
      await expect(feed.publish(['u-c'])).rejects.toThrow(/RabbitMQ is unreachable and 2 changed users already wait/);
    } finally {
      proxy.refuse(false);
      await feed.close();
    }
  });

  describe('broker ingestion', () => {
    let database: MongoConnection;
    let subgraph: ApprovalSubgraph;

    beforeAll(async () => {
      database = await createTestDatabase('approval_broker_reconnect');
      subgraph = await createApprovalSubgraph({
        db: database.db,
        port: 0,
        systems: DEMO_SYSTEMS,
        identity: approvalIdentity,
        changeFeed: createInProcessChangeFeed(),
      });
    });
    afterAll(async () => {
      await subgraph?.close();
      await database?.close();
    });

    it('carries on consuming and stores every batch', async () => {
      const lostBefore = lostConnections();
      const ingest = await startBrokerIngest({ amqpUrl: proxy.url, ingestor: subgraph.ingestor, log, names, reconnectDelays: FAST });
      try {
        const secret = DEMO_SYSTEMS.find((s) => s.id === 'hr')!.secret;
        const publish = (from: number, to: number) =>
          Promise.all(
            Array.from({ length: to - from }, (_, i) => {
              const seq = from + i;
              return publishEvents(channel, 'hr', [{ system: 'hr', userId: `u-r${seq % 5}`, count: seq, occurredAt: '2026-11-22T06:00:00Z', seq }], secret, {
                names,
              });
            }),
          );
        await publish(1, 101);
        await waitFor('the consumer to take batches', async () => (await channel.checkQueue(names.ingestQueue)).messageCount < 100);
        proxy.cut(); // mid-stream, with batches in flight
        await publish(101, 201);
        const store = createApprovalStore(database.db);
        await waitFor('every batch stored', async () => {
          const states = await Promise.all(Array.from({ length: 5 }, (_, u) => store.readStates(`u-r${u}`, ['hr'])));
          return states.every((s, u) => s[0]?.seq === 200 - ((200 - u) % 5));
        });
        // One consumer left means RabbitMQ has buried the cut connection and handed back what it held.
        await waitFor('an empty queue with only the new consumer', async () => {
          const { messageCount, consumerCount } = await channel.checkQueue(names.ingestQueue);
          return messageCount === 0 && consumerCount === 1;
        });
      } finally {
        await ingest.close();
      }
      expect(lostConnections()).toBe(lostBefore + 1);
      // Closing hands back anything unacked: still empty once the consumer is gone means all were acked.
      expect(await broker.readyAfterConsumersLeft()).toBe(0);
      expect(await channel.get(names.deadQueue)).toBe(false);
    });
  });
});
