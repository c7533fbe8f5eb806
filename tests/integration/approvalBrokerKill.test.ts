import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, databaseName, type MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { publishEvents } from '../../subgraphs/approval/broker/publishEvents.ts';
import { assertIngestTopology, type BrokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { eventScenario, random, shuffledDeliveries } from '../support/eventStreams.ts';
import { expectNewestStored } from '../support/expectNewestStored.ts';
import { identityEnv } from '../support/gatewayIdentity.ts';
import { AMQP_URL, openTestBroker, type TestBroker } from '../support/testBroker.ts';
import { testMongoUri } from '../support/testDatabase.ts';

const USERS = Array.from({ length: 8 }, (_, i) => `user-${i}`);
const SYSTEMS = DEMO_SYSTEMS.map((s) => s.id);
const secretOf = (system: string) => DEMO_SYSTEMS.find((s) => s.id === system)!.secret;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `total` events with rising seq per system; every one 1–3 times, shuffled, in one-system batches of 1–25. */
function scenario(rand: () => number, total: number) {
  const { events, newest } = eventScenario(rand, { total, users: USERS, systems: SYSTEMS, count: (r) => Math.floor(r() * 13) });
  const batches = shuffledDeliveries(rand, events, 25);
  return { newest, batches, deliveries: batches.reduce((sum, batch) => sum + batch.length, 0) };
}

interface Worker {
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

describe('a broker worker killed mid-stream', () => {
  const dbPrefix = `test_brokerkill_${randomUUID().slice(0, 8)}`;
  let broker: TestBroker;
  let names: BrokerNames;
  let channel: ConfirmChannel;
  let mongo: MongoConnection;
  const workers: Worker[] = [];

  const startWorker = (): Worker => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/approval/main.ts'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        ...identityEnv,
        MONGODB_URI: testMongoUri(),
        MONGODB_DB_PREFIX: dbPrefix,
        AMQP_URL,
        APPROVAL_BROKER_PREFIX: broker.prefix,
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const output: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const worker = { process: child, output, exited };
    workers.push(worker);
    return worker;
  };
  const queue = () => channel.checkQueue(names.ingestQueue);
  const waitFor = async (what: string, worker: Worker, probe: () => Promise<boolean>, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; worker said:\n${worker.output.join('')}`);
      await pause(25);
    }
  };

  beforeAll(async () => {
    broker = await openTestBroker('kill');
    ({ names, channel } = broker);
    await assertIngestTopology(channel, names); // so batches wait in the queue before any worker runs
    mongo = await connectMongo(testMongoUri(), databaseName('approval', { MONGODB_DB_PREFIX: dbPrefix }));
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill('SIGKILL');
    await broker?.close();
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  it('loses nothing and applies nothing out of order', async () => {
    const { newest, batches, deliveries } = scenario(random(4242), 3000);
    expect(deliveries).toBeGreaterThan(5000);
    await Promise.all(batches.map((batch) => publishEvents(channel, batch[0]!.system, batch, secretOf(batch[0]!.system), { names })));
    expect((await queue()).messageCount).toBe(batches.length);

    const first = startWorker();
    // Kill it once it has acked a good part, with the rest still queued (and some batches in flight).
    await waitFor('the first worker to get going', first, async () => (await queue()).messageCount < batches.length * 0.6);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const left = (await queue()).messageCount;
    expect(left).toBeGreaterThan(0);

    const second = startWorker();
    await waitFor('the queue to drain', second, async () => {
      const { messageCount, consumerCount } = await queue();
      return messageCount === 0 && consumerCount === 1;
    });
    second.process.kill('SIGTERM'); // a graceful stop acks what is in flight
    expect(await second.exited, second.output.join('')).toBe(0);
    expect(await broker.readyAfterConsumersLeft()).toBe(0);
    expect(await channel.get(names.deadQueue)).toBe(false);

    // None lost, none applied out of order: a replica folding the log afresh holds every pair's newest event.
    await expectNewestStored(mongo.db, newest, USERS, SYSTEMS);
  }, 180_000);
});
