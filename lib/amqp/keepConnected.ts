import type { ChannelModel } from 'amqplib';
import { errorMessage, type Logger } from '../log.ts';
import { createConnectionLifecycle, type ConnectionLifecycle } from './connectionLifecycle.ts';
import { openSession, SetupError, type ConnectionSession, type OpenSession } from './openSession.ts';
import { createReconnectBackoff, DEFAULT_RECONNECT_DELAYS, type ReconnectDelays } from './reconnectBackoff.ts';

export { DEFAULT_RECONNECT_DELAYS, type ReconnectDelays } from './reconnectBackoff.ts';
export type { ConnectionSession } from './openSession.ts';

export interface KeepConnectedOptions {
  amqpUrl: string;
  log: Logger;
  /** What the connection is for; shown in RabbitMQ's connection list and in log lines. */
  purpose: string;
  /** Declares topology, opens channels, starts consumers. Throwing fails the attempt. */
  setup(session: ConnectionSession): Promise<void>;
  /** A working connection was lost; called once, before the backoff. */
  onLost?(): void;
  reconnectDelays?: Partial<ReconnectDelays>;
}

export interface KeptConnection {
  close(): Promise<void>;
}

/**
 * One RabbitMQ connection kept up: the first attempt must succeed (a wrong
 * AMQP_URL should stop a service at start, like a wrong MONGODB_URI), later
 * losses are retried forever with exponential backoff. amqplib 2 has its own
 * recovery, but topology and consumers must be set up again on each new
 * connection anyway, so one explicit loop is easier to follow.
 */
export async function keepConnected(options: KeepConnectedOptions): Promise<KeptConnection> {
  const lifecycle = createConnectionLifecycle<ChannelModel>();
  let first: OpenSession;
  try {
    first = await openSession(options, lifecycle, false);
  } catch (error) {
    const where = redactAmqpUrl(options.amqpUrl);
    if (error instanceof SetupError) throw new Error(`setting up RabbitMQ at ${where} for ${options.purpose} failed: ${error.message}`, { cause: error.cause });
    throw new Error(`cannot reach RabbitMQ at ${where} (${errorMessage(error)}); start it or fix AMQP_URL`, { cause: error });
  }
  const running = reconnectOnLoss(first, options, lifecycle);
  return {
    async close() {
      if (!lifecycle.closed) await lifecycle.close();
      await running;
    },
  };
}

/** Waits for each loss, then reconnects with backoff until a session opens again or the connection is closed. */
async function reconnectOnLoss(first: OpenSession, options: KeepConnectedOptions, lifecycle: ConnectionLifecycle<ChannelModel>): Promise<void> {
  const { log } = options;
  const delays = { ...DEFAULT_RECONNECT_DELAYS, ...options.reconnectDelays };
  let session = first;
  for (;;) {
    const reason = await session.lost;
    if (lifecycle.closed) return;
    options.onLost?.();
    const backoff = createReconnectBackoff(delays);
    let delay = backoff.next();
    log.warn(`lost RabbitMQ connection (${reason.message}); reconnecting in ${seconds(delay)}`);
    for (;;) {
      await lifecycle.sleep(delay);
      if (lifecycle.closed) return;
      delay = backoff.next();
      try {
        session = await openSession(options, lifecycle, true);
        break;
      } catch (error) {
        if (lifecycle.closed) return;
        log.warn(`cannot reach RabbitMQ yet (${errorMessage(error)}); retrying in ${seconds(delay)}`);
      }
    }
    log.info(`reconnected to RabbitMQ (${options.purpose})`);
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * Rejects when `promise` takes longer than `ms`. A confirm never comes while
 * RabbitMQ blocks publishers (memory or disk alarm); callers must not hang.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function redactAmqpUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
