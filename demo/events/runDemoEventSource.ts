import type { ConfirmChannel } from 'amqplib';
import { signToken } from '../../lib/auth/signToken.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { keepConnected, type KeptConnection } from '../../lib/amqp/keepConnected.ts';
import { publishEvents } from '../../subgraphs/approval/broker/publishEvents.ts';
import { assertIngestTopology, brokerNames, type BrokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { postEvents, type OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import { DEMO_SYSTEMS, type BusinessSystem } from '../../subgraphs/approval/systems.ts';
import { createDemoEventPlan, type DemoDelivery } from './demoEventPlan.ts';

export interface DemoEventSourceOptions {
  /** `POST /events` of the approval subgraph; used unless `amqpUrl` is set. */
  eventsUrl: string;
  /** Publish to RabbitMQ instead of HTTP. */
  amqpUrl?: string;
  eventsPerSecond: number;
  users: readonly string[];
  log: Logger;
  /** Default the demo systems with their public dev secrets. */
  systems?: readonly BusinessSystem[];
  names?: BrokerNames;
  random?: () => number;
  reportEveryMs?: number;
}

export interface DemoStats {
  sent: number;
  late: number;
  duplicates: number;
  failed: number;
  /** The newest event delivered per `userId|system`: what the store should end up holding. */
  newest: Map<string, OutgoingEvent>;
}

export interface DemoEventSource {
  stats(): DemoStats;
  /** Stops sending (events still held back are dropped) and disconnects. */
  close(): Promise<void>;
}

/**
 * Plays the demo business systems: a steady trickle of signed events for a
 * few users, some late, some twice, over HTTP or RabbitMQ. One log line every
 * few seconds says what went out and what failed.
 */
export async function runDemoEventSource(options: DemoEventSourceOptions): Promise<DemoEventSource> {
  const { log } = options;
  const systems = options.systems ?? DEMO_SYSTEMS;
  const secrets = new Map(systems.map((s) => [s.id, s.secret]));
  const names = options.names ?? brokerNames();
  const plan = createDemoEventPlan({ systems: systems.map((s) => s.id), users: options.users, random: options.random });
  const stats: DemoStats = { sent: 0, late: 0, duplicates: 0, failed: 0, newest: new Map() };
  let window = { sent: 0, late: 0, duplicates: 0, failed: 0, lastError: '', last: '' };

  let channel: ConfirmChannel | undefined;
  let broker: KeptConnection | undefined;
  if (options.amqpUrl) {
    broker = await keepConnected({
      amqpUrl: options.amqpUrl,
      log,
      purpose: 'demo event source',
      onLost: () => (channel = undefined),
      async setup({ model, fail }) {
        const ch = await model.createConfirmChannel();
        ch.on('error', () => undefined);
        ch.on('close', () => {
          if (channel === ch) channel = undefined;
          fail(new Error('the publishing channel was closed'));
        });
        // Declaring the queue too means events wait there if the approval subgraph is not up yet.
        await assertIngestTopology(ch, names);
        channel = ch;
      },
    });
  }
  const where = options.amqpUrl ? `RabbitMQ exchange ${names.events}` : options.eventsUrl;

  const deliver = async (delivery: DemoDelivery): Promise<void> => {
    const secret = secrets.get(delivery.system) ?? '';
    if (options.amqpUrl) {
      if (!channel) throw new Error('not connected to RabbitMQ');
      await publishEvents(channel, delivery.system, delivery.events, secret, { names });
      return;
    }
    const result = await postEvents(options.eventsUrl, delivery.events, secret);
    if (result.status !== 202) throw new Error(`HTTP ${result.status}: ${String(result.body.error ?? JSON.stringify(result.body))}`);
  };

  const step = async () => {
    for (const delivery of plan.next()) {
      try {
        await deliver(delivery);
      } catch (error) {
        stats.failed += 1;
        window.failed += 1;
        window.lastError = errorMessage(error);
        continue;
      }
      stats.sent += 1;
      window.sent += 1;
      if (delivery.kind === 'late') {
        stats.late += 1;
        window.late += 1;
      } else if (delivery.kind === 'duplicate') {
        stats.duplicates += 1;
        window.duplicates += 1;
      }
      for (const event of delivery.events) {
        const key = `${event.userId}|${event.system}`;
        if ((stats.newest.get(key)?.seq ?? -1) < event.seq) stats.newest.set(key, event);
        if (delivery.kind === 'fresh') window.last = `${event.system} ${event.userId} → ${event.count} (seq ${event.seq})`;
      }
    }
  };

  const report = () => {
    const w = window;
    if (w.sent + w.failed === 0) return;
    const failures = w.failed > 0 ? `, ${w.failed} failed: ${w.lastError}${options.amqpUrl ? '' : ' (is the approval subgraph running?)'}` : '';
    log.info(`sent ${w.sent} event batches to ${where} (${w.late} late, ${w.duplicates} duplicate${failures}); last: ${w.last || '–'}`);
    window = { sent: 0, late: 0, duplicates: 0, failed: 0, lastError: '', last: '' };
  };
  const reporter = setInterval(report, options.reportEveryMs ?? 5000);

  // A loop rather than setInterval: a slow delivery delays the next instead of piling up.
  let closed = false;
  let wake: (() => void) | undefined;
  const intervalMs = options.eventsPerSecond > 0 ? 1000 / options.eventsPerSecond : 0;
  const loop = (async () => {
    if (intervalMs === 0) return log.warn('DEMO_EVENTS_PER_SECOND is 0; sending nothing');
    log.info(`sending about ${options.eventsPerSecond} approval events a second for ${options.users.join(', ')} to ${where}`);
    while (!closed) {
      const started = Date.now();
      await step();
      const wait = Math.max(0, intervalMs - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    stats: () => ({ ...stats, newest: new Map(stats.newest) }),
    async close() {
      if (closed) return;
      closed = true;
      wake?.();
      await loop;
      clearInterval(reporter);
      report();
      await broker?.close();
    },
  };
}

/** `<portal>#token=<jwt>` per user, so a person can open the portal widget as that user. */
export async function portalLinks(
  users: readonly string[],
  jwtSecret: string,
  portalUrl: string,
  expiresInSeconds = 12 * 3600,
): Promise<Array<{ userId: string; url: string }>> {
  return Promise.all(
    users.map(async (userId) => ({
      userId,
      url: `${portalUrl}#token=${await signToken({ userId, secret: jwtSecret, expiresInSeconds, claims: { name: `Demo ${userId}` } })}`,
    })),
  );
}
