import { signToken } from '../../lib/auth/signToken.ts';
import type { Logger } from '../../lib/log.ts';
import { brokerNames, type BrokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { DEMO_SYSTEMS, type BusinessSystem } from '../../subgraphs/approval/systems.ts';
import { httpEventSink, rabbitEventSink } from './connectEventSink.ts';
import { createDeliveryTally, type DemoStats } from './createDeliveryTally.ts';
import { createDemoEventPlan } from './demoEventPlan.ts';
import { startPacedLoop } from './startPacedLoop.ts';

export type { DemoStats } from './createDeliveryTally.ts';

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
  const plan = createDemoEventPlan({ systems: systems.map((s) => s.id), users: options.users, random: options.random });
  const tally = createDeliveryTally();
  const sink = options.amqpUrl
    ? await rabbitEventSink({ amqpUrl: options.amqpUrl, names: options.names ?? brokerNames(), log })
    : httpEventSink(options.eventsUrl);

  const step = async () => {
    for (const delivery of plan.next()) {
      try {
        await sink.deliver(delivery, secrets.get(delivery.system) ?? '');
        tally.delivered(delivery);
      } catch (error) {
        tally.failed(error);
      }
    }
  };
  const report = () => {
    const w = tally.takeWindow();
    if (w.sent + w.failed === 0) return;
    const failures = w.failed > 0 ? `, ${w.failed} failed: ${w.lastError}${sink.failureHint}` : '';
    log.info(`sent ${w.sent} event batches to ${sink.where} (${w.late} late, ${w.duplicates} duplicate${failures}); last: ${w.last || '–'}`);
  };
  const reporter = setInterval(report, options.reportEveryMs ?? 5000);

  let loop: { stop(): Promise<void> } | undefined;
  if (options.eventsPerSecond > 0) {
    log.info(`sending about ${options.eventsPerSecond} approval events a second for ${options.users.join(', ')} to ${sink.where}`);
    loop = startPacedLoop(1000 / options.eventsPerSecond, step);
  } else log.warn('DEMO_EVENTS_PER_SECOND is 0; sending nothing');

  let closed = false;
  return {
    stats: () => tally.stats(),
    async close() {
      if (closed) return;
      closed = true;
      await loop?.stop();
      clearInterval(reporter);
      report();
      await sink.close();
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
