/**
 * Approval events in, live counts out: ingestion rate over HTTP batches,
 * subscriptions one gateway process holds and its memory per subscription,
 * and event-to-client latency under a steady event rate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DEV_JWT_SECRET } from '../lib/auth/jwtSecret.ts';
import { connectMongo, databaseName } from '../lib/mongo/connectMongo.ts';
import { signToken } from '../lib/auth/signToken.ts';
import { publishEvents } from '../subgraphs/approval/broker/publishEvents.ts';
import { brokerNames, deleteTopology } from '../subgraphs/approval/broker/topology.ts';
import { postEvents, type OutgoingEvent } from '../subgraphs/approval/events/postEvents.ts';
import { createApprovalStore } from '../subgraphs/approval/store/approvalStore.ts';
import { DEMO_SYSTEMS } from '../subgraphs/approval/systems.ts';
import { startApprovalBenchSystem } from './support/approvalBenchSystem.ts';
import { percentile, table } from './support/measure.ts';
import { residentMiB } from './support/processMemory.ts';

const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 100);
const SENDERS = 4;
const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 20_000);
/** One process may hold at most `ulimit -n` sockets (20,000 on the machines here), so 20,000 subscriptions ride 2 to a socket by default. */
const SUBSCRIPTIONS_PER_SOCKET = Number(process.env.BENCH_SUBSCRIPTIONS_PER_SOCKET ?? 2);
const LATENCY_SUBSCRIBERS = Number(process.env.BENCH_LATENCY_SUBSCRIBERS ?? 10_000);
const EVENTS_PER_SECOND = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 1000);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const SUBSCRIBE = 'subscription { approvalCountChanged { total items { system { id } count updatedAt } } }';

const seqs = new Map<string, number>();
function makeEvent(system: string, userId: string, count: number): OutgoingEvent {
  const seq = (seqs.get(system) ?? 0) + 1;
  seqs.set(system, seq);
  return { system, userId, count, seq, occurredAt: new Date().toISOString() };
}
const secretOf = (system: string) => DEMO_SYSTEMS.find((s) => s.id === system)!.secret;

async function ingestOverHttp(eventsUrl: string): Promise<Record<string, string | number>> {
  let sent = 0;
  const latencies: number[] = [];
  const until = Date.now() + INGEST_SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, sender) => {
      for (let n = 0; Date.now() < until; n++) {
        const system = DEMO_SYSTEMS[(sender + n) % DEMO_SYSTEMS.length]!.id;
        const batch = Array.from({ length: BATCH_SIZE }, () => makeEvent(system, `u-${Math.floor(Math.random() * 50_000)}`, Math.floor(Math.random() * 10)));
        const t = performance.now();
        const result = await postEvents(eventsUrl, batch, secretOf(system));
        if (result.status !== 202) throw new Error(`POST /events answered ${result.status}: ${JSON.stringify(result.body)}`);
        latencies.push(performance.now() - t);
        sent += batch.length;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  return {
    path: `HTTP, ${SENDERS} senders × ${BATCH_SIZE}-event batches`,
    'events/s': (sent / seconds).toFixed(0),
    'batch p50 ms': percentile(latencies, 50).toFixed(0),
    'batch p99 ms': percentile(latencies, 99).toFixed(0),
  };
}

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const BROKER_MESSAGES = Number(process.env.BENCH_BROKER_MESSAGES ?? 300);

/**
 * Publishes batches to the exchange and times until the approval subgraph has
 * stored all of them: each batch carries a sentinel event for its own user,
 * and the run ends when every sentinel is visible through `me`.
 */
async function ingestOverBroker(prefix: string, approvalUrl: string): Promise<Record<string, string | number>> {
  const names = brokerNames(prefix);
  const connection = await connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  const run = Date.now();
  const sentinels = Array.from({ length: BROKER_MESSAGES }, (_, n) => `sentinel-${run}-${n}`);
  try {
    const started = Date.now();
    let events = 0;
    // Producers publish side by side (32 confirms outstanding), as several business systems would.
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < sentinels.length) {
          const n = next++;
          const system = DEMO_SYSTEMS[n % DEMO_SYSTEMS.length]!.id;
          const batch = Array.from({ length: BATCH_SIZE - 1 }, () =>
            makeEvent(system, `u-${Math.floor(Math.random() * 50_000)}`, Math.floor(Math.random() * 10)),
          );
          batch.push(makeEvent(system, sentinels[n]!, 1));
          await publishEvents(channel, system, batch, secretOf(system), { names });
          events += batch.length;
        }
      }),
    );
    const pending = new Set(sentinels);
    while (pending.size > 0) {
      await Promise.all(
        [...pending].map(async (userId) => {
          const token = await signToken({ userId, secret: DEV_JWT_SECRET });
          const response = await fetch(`${approvalUrl}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: '{ me { approvals { total } } }' }),
          });
          const body = (await response.json()) as { data?: { me?: { approvals: { total: number } } } };
          if ((body.data?.me?.approvals.total ?? 0) > 0) pending.delete(userId);
        }),
      );
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    return {
      path: `RabbitMQ, ${BROKER_MESSAGES} messages × ${BATCH_SIZE} events`,
      'events/s': (events / seconds).toFixed(0),
      'batch p50 ms': '–',
      'batch p99 ms': '–',
    };
  } finally {
    await deleteTopology(channel, names).catch(() => undefined);
    await connection.close();
  }
}

/** What a replica starting now pays before its first answer: the newest checkpoint plus the log after it. */
async function timeStart(mongoUri: string, dbPrefix: string): Promise<string> {
  const mongo = await connectMongo(mongoUri, databaseName('approval', { MONGODB_DB_PREFIX: dbPrefix }));
  try {
    const started = performance.now();
    await createApprovalStore(mongo.db).readStates('nobody', ['hr']);
    return (performance.now() - started).toFixed(0);
  } finally {
    await mongo.close();
  }
}

interface Subscriber {
  client: Client;
  stop(): void;
  subscriptions: number;
}

/**
 * Opens `count` subscriptions, `perSocket` on each client socket (one user per
 * socket, as a portal page with several widgets would be); resolves once every
 * subscription has its first summary.
 */
async function openSubscribers(
  gatewayUrl: string,
  count: number,
  onSummary: (userId: string, updatedAt: string[]) => void,
  perSocket = 1,
): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  const wsUrl = `${gatewayUrl.replace('http', 'ws')}/graphql`;
  const sockets = Math.ceil(count / perSocket);
  for (let start = 0; start < sockets; start += 500) {
    const wave = await Promise.all(
      Array.from({ length: Math.min(500, sockets - start) }, async (_, i) => {
        const userId = `sub-${start + i}`;
        const token = await signToken({ userId, secret: DEV_JWT_SECRET });
        const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 0 });
        const here = Math.min(perSocket, count - (start + i) * perSocket);
        const stops = await Promise.all(
          Array.from(
            { length: here },
            () =>
              new Promise<() => void>((resolve, reject) => {
                let first = true;
                const stop = client.subscribe<{ approvalCountChanged: { items: Array<{ updatedAt: string }> } }>(
                  { query: SUBSCRIBE },
                  {
                    next: (result) => {
                      if (first) {
                        first = false;
                        resolve(stop);
                        return;
                      }
                      onSummary(userId, result.data?.approvalCountChanged.items.map((item) => item.updatedAt) ?? []);
                    },
                    error: (error) => reject(new Error(`subscription for ${userId} failed: ${JSON.stringify(error)}`)),
                    complete: () => undefined,
                  },
                );
              }),
          ),
        );
        return { client, stop: () => stops.forEach((stop) => stop()), subscriptions: here };
      }),
    );
    subscribers.push(...wave);
  }
  return subscribers;
}

async function closeSubscribers(subscribers: Subscriber[]): Promise<void> {
  await Promise.all(
    subscribers.map(async (s) => {
      s.stop();
      await s.client.dispose();
    }),
  );
}

export async function benchApprovals(mongoUri: string): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-approvals-'));
  const brokerPrefix = `bench-${Date.now()}`;
  const dbPrefix = `benchappr${Date.now()}`;
  const system = await startApprovalBenchSystem({ mongoUri, workDir, dbPrefix, amqpUrl: AMQP_URL, brokerPrefix });
  try {
    const idle = residentMiB(system.gatewayPid);
    const held = await openSubscribers(system.gatewayUrl, SUBSCRIPTIONS, () => undefined, SUBSCRIPTIONS_PER_SOCKET);
    const subscriptions = held.reduce((sum, s) => sum + s.subscriptions, 0);
    await new Promise((r) => setTimeout(r, 2000));
    const loaded = residentMiB(system.gatewayPid);
    console.log(`\nSubscriptions held by one gateway process\n`);
    console.log(
      table([
        {
          subscriptions,
          'client sockets': held.length,
          'gateway RSS idle MiB': idle.toFixed(0),
          'gateway RSS loaded MiB': loaded.toFixed(0),
          'KiB per subscription': (((loaded - idle) * 1024) / subscriptions).toFixed(1),
        },
      ]),
    );

    await closeSubscribers(held.splice(0));
    const latencies: number[] = [];
    const onSummary = (_userId: string, updatedAt: string[]) => {
      const newest = Math.max(...updatedAt.map((t) => Date.parse(t)));
      if (Number.isFinite(newest)) latencies.push(Date.now() - newest);
    };
    const latencySubscribers = await openSubscribers(system.gatewayUrl, LATENCY_SUBSCRIBERS, onSummary);
    let failedPosts = 0;
    const perTick = EVENTS_PER_SECOND / 10;
    const ticks = LATENCY_SECONDS * 10;
    const eventsUrl = `${system.approvalUrl}/events`;
    const started = Date.now();
    for (let tick = 0; tick < ticks; tick++) {
      const system_ = DEMO_SYSTEMS[tick % DEMO_SYSTEMS.length]!.id;
      const batch = Array.from({ length: perTick }, () =>
        makeEvent(system_, `sub-${Math.floor(Math.random() * LATENCY_SUBSCRIBERS)}`, 1 + Math.floor(Math.random() * 9)),
      );
      void postEvents(eventsUrl, batch, secretOf(system_)).then(
        (result) => (result.status === 202 ? undefined : failedPosts++),
        () => failedPosts++,
      );
      const next = started + (tick + 1) * 100;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
    await new Promise((r) => setTimeout(r, Number(process.env.BENCH_DRAIN_SECONDS ?? 10) * 1000));
    const sent = ticks * perTick;
    console.log(`\nEvent to client, ${EVENTS_PER_SECOND} events/s for ${LATENCY_SECONDS} s to ${LATENCY_SUBSCRIBERS} subscribers\n`);
    console.log(
      table([
        {
          'events sent': sent,
          'failed posts': failedPosts,
          'updates received': latencies.length,
          'p50 ms': percentile(latencies, 50).toFixed(0),
          'p99 ms': percentile(latencies, 99).toFixed(0),
          'max ms': Math.max(...latencies).toFixed(0),
        },
      ]),
    );
    await closeSubscribers(latencySubscribers);
    // Ingestion last: it fills the database, which slows FerretDB's reads for the phases above.
    const ingest = await ingestOverHttp(`${system.approvalUrl}/events`);
    console.log(`  ingest over HTTP: ${ingest['events/s']} events/s`);
    const broker = await ingestOverBroker(brokerPrefix, system.approvalUrl);
    console.log(`  ingest over RabbitMQ: ${broker['events/s']} events/s`);
    console.log('\nIngestion\n');
    console.log(table([ingest, broker]));
    console.log(`\nA replica starting after all that answers its first read in ${await timeStart(mongoUri, dbPrefix)} ms`);
  } finally {
    await system.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}
