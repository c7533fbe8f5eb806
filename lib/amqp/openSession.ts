import { connect, type ChannelModel } from 'amqplib';
import { errorMessage, type Logger } from '../log.ts';
import type { ConnectionLifecycle } from './connectionLifecycle.ts';

export interface ConnectionSession {
  model: ChannelModel;
  /** False for the first connection; true afterwards, when things may have been missed. */
  reconnected: boolean;
  /** Gives this connection up (a channel died, say); the loop reconnects. */
  fail(reason: Error): void;
}

export interface SessionOptions {
  amqpUrl: string;
  log: Logger;
  purpose: string;
  setup(session: ConnectionSession): Promise<void>;
}

export interface OpenSession {
  /** Resolves with the reason the connection ended. */
  lost: Promise<Error>;
}

/** Connected, but declaring or consuming failed (mismatched queue arguments, say). */
export class SetupError extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
  }
}

/** One connection, set up: it becomes the lifecycle's current one; a failed setup closes it and throws a SetupError. */
export async function openSession(options: SessionOptions, lifecycle: ConnectionLifecycle<ChannelModel>, reconnected: boolean): Promise<OpenSession> {
  const { log, purpose } = options;
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
      lifecycle.release(model);
      resolve(error ?? connectionError ?? failReason ?? new Error('the connection was closed'));
    });
  });
  model.on('blocked', (why: string) => log.warn(`RabbitMQ is refusing publishes on the ${purpose} connection (${why}); free broker memory or disk`));
  lifecycle.adopt(model);
  try {
    await options.setup({
      model,
      reconnected,
      fail: (error) => {
        // Channels close just before their connection does: wait a tick to tell the two apart.
        setImmediate(() => {
          if (ended || lifecycle.closed) return;
          failReason ??= error;
          model.close().catch(() => undefined);
        });
      },
    });
    if (lifecycle.closed) throw new Error('closed while connecting');
  } catch (error) {
    lifecycle.release(model);
    await model.close().catch(() => undefined);
    throw new SetupError(error);
  }
  return { lost };
}
