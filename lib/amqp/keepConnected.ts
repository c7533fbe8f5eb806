import { connect, type ChannelModel } from 'amqplib';
import { errorMessage, type Logger } from '../log.ts';

export interface ReconnectDelays {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT_DELAYS: ReconnectDelays = { initialMs: 2000, maxMs: 30_000 };

export interface ConnectionSession {
  model: ChannelModel;
  /** False for the first connection; true afterwards, when things may have been missed. */
  reconnected: boolean;
  /** Gives this connection up (a channel died, say); the loop reconnects. */
  fail(reason: Error): void;
}

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
  const { log, purpose } = options;
  const delays = { ...DEFAULT_RECONNECT_DELAYS, ...options.reconnectDelays };
  let closed = false;
  let current: ChannelModel | undefined;
  let wake: (() => void) | undefined;

  /** Connects and sets up; `lost` resolves with the reason the connection ends. */
  const attempt = async (reconnected: boolean): Promise<{ lost: Promise<Error> }> => {
    const model = await connect(options.amqpUrl, { clientProperties: { connection_name: `gatehouse ${purpose}` } });
    // The connection's own error says most; a channel failure we gave up on comes next.
    let connectionError: Error | undefined;
    let failReason: Error | undefined;
    let ended = false;
    const lost = new Promise<Error>((resolve) => {
      // Without an 'error' listener amqplib's error would crash the process.
      model.on('error', (error: Error) => (connectionError ??= error));
      model.on('close', (error?: Error) => {
        ended = true;
        resolve(error ?? connectionError ?? failReason ?? new Error('the connection was closed'));
      });
    });
    model.on('blocked', (why: string) => log.warn(`RabbitMQ is refusing publishes on the ${purpose} connection (${why}); free broker memory or disk`));
    current = model;
    try {
      await options.setup({
        model,
        reconnected,
        fail: (error) => {
          // Channels close just before their connection does: wait a tick to tell the two apart.
          setImmediate(() => {
            if (ended || closed) return;
            failReason ??= error;
            model.close().catch(() => undefined);
          });
        },
      });
      if (closed) throw new Error('closed while connecting');
    } catch (error) {
      current = undefined;
      await model.close().catch(() => undefined);
      throw new SetupError(error);
    }
    return { lost };
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

  const loop = async (first: { lost: Promise<Error> }): Promise<void> => {
    let connection = first;
    for (;;) {
      const reason = await connection.lost;
      current = undefined;
      if (closed) return;
      options.onLost?.();
      let delay = delays.initialMs;
      log.warn(`lost RabbitMQ connection (${reason.message}); reconnecting in ${seconds(delay)}`);
      for (;;) {
        await sleep(delay);
        if (closed) return;
        delay = Math.min(delay * 2, delays.maxMs);
        try {
          connection = await attempt(true);
          break;
        } catch (error) {
          if (closed) return;
          log.warn(`cannot reach RabbitMQ yet (${errorMessage(error)}); retrying in ${seconds(delay)}`);
        }
      }
      log.info(`reconnected to RabbitMQ (${purpose})`);
    }
  };

  let first: { lost: Promise<Error> };
  try {
    first = await attempt(false);
  } catch (error) {
    const where = redactAmqpUrl(options.amqpUrl);
    if (error instanceof SetupError) throw new Error(`setting up RabbitMQ at ${where} for ${purpose} failed: ${error.message}`, { cause: error.cause });
    throw new Error(`cannot reach RabbitMQ at ${where} (${errorMessage(error)}); start it or fix AMQP_URL`, { cause: error });
  }
  const running = loop(first);

  return {
    async close() {
      if (closed) return running;
      closed = true;
      wake?.();
      await current?.close().catch(() => undefined);
      await running;
    },
  };
}

/** Connected, but declaring or consuming failed (mismatched queue arguments, say). */
class SetupError extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
  }
}

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
