import { context } from '@opentelemetry/api';
import { contextFromHeaders, withTraceHeaders } from '../../../lib/tracing/traceHeaders.ts';
import { isTracingOn } from '../../../lib/tracing/tracer.ts';
import type { ConfirmChannel } from 'amqplib';
import { errorMessage, type Logger } from '../../../lib/log.ts';
import { createChangeListeners, type ChangeFeed } from '../changeFeed.ts';
import { keepConnected, withTimeout, type ReconnectDelays } from '../../../lib/amqp/keepConnected.ts';
import { assertChangesExchange, brokerNames, type BrokerNames } from './topology.ts';

export interface RabbitChangeFeedOptions {
  amqpUrl: string;
  log: Logger;
  /** Default `brokerNames()`: the fanout exchange `approvals.changes`. */
  names?: BrokerNames;
  /** Changed users remembered while RabbitMQ is unreachable. Default 10,000. */
  maxPending?: number;
  reconnectDelays?: Partial<ReconnectDelays>;
  onListenerError?: (error: unknown) => void;
}

const DEFAULT_MAX_PENDING = 10_000;
/** Ingestion waits for the publish; it must not wait forever on a blocked broker. */
const CONFIRM_TIMEOUT_MS = 5000;

/**
 * The change feed across replicas: every replica binds its own exclusive,
 * auto-deleted, server-named queue to the fanout exchange, so a publish on
 * one reaches the listeners of all. A replica hears its own publishes through
 * the broker as well and does not also notify locally (one path, one
 * notification).
 *
 * While RabbitMQ is unreachable, `publish` does not fail: the user ids are
 * remembered (deduplicated, up to `maxPending`) and sent once reconnected, so
 * other replicas hear of changes stored meanwhile. Only beyond that bound does
 * it reject (the ingestor logs it; the counts are stored either way). After a
 * reconnect every local listener is notified once, since this replica may
 * have missed changes; listeners re-read the store, so that is safe.
 */
export async function createRabbitChangeFeed(options: RabbitChangeFeedOptions): Promise<ChangeFeed> {
  const { log } = options;
  const names = options.names ?? brokerNames();
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const onListenerError = options.onListenerError ?? ((error: unknown) => log.warn(`a change listener failed: ${errorMessage(error)}`));
  const listeners = createChangeListeners(onListenerError);
  const pending = new Set<string>();
  let channel: ConfirmChannel | undefined;
  let closed = false;

  const notify = listeners.notify;
  const notifyAll = listeners.notifyAll;

  const onMessage = (content: Buffer, headers: Record<string, unknown> | undefined) => {
    if (closed) return;
    // Listeners (subscription pushes) run in the trace of the change, on every replica.
    if (isTracingOn()) return void context.with(contextFromHeaders(headers), () => deliver(content));
    deliver(content);
  };
  const deliver = (content: Buffer) => {
    const userIds = parseChange(content);
    if (userIds === null) {
      log.warn(`ignored a message on ${names.changes} that is not {"userIds":[…]}; only approval subgraphs should publish there`);
      return;
    }
    notify(userIds);
  };

  /** Keeps ids for the next connection; refuses once too many wait. */
  const hold = (userIds: readonly string[]) => {
    for (const userId of userIds) {
      if (pending.size >= maxPending && !pending.has(userId)) {
        throw new Error(
          `RabbitMQ is unreachable and ${maxPending} changed users already wait to be announced; other replicas' live views lag until those users change again`,
        );
      }
      pending.add(userId);
    }
  };

  const send = (ch: ConfirmChannel, userIds: readonly string[]) =>
    withTimeout(
      new Promise<void>((resolve, reject) => {
        const body = Buffer.from(JSON.stringify({ userIds }));
        // Not persistent: a notification is only worth something while replicas are listening.
        ch.publish(names.changes, '', body, { contentType: 'application/json', headers: withTraceHeaders({}) }, (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      }),
      CONFIRM_TIMEOUT_MS,
      'RabbitMQ confirming a change notification',
    );

  const connection = await keepConnected({
    amqpUrl: options.amqpUrl,
    log,
    purpose: 'approval change feed',
    reconnectDelays: options.reconnectDelays,
    onLost: () => (channel = undefined),
    async setup({ model, reconnected, fail }) {
      const ch = await model.createConfirmChannel();
      ch.on('error', () => undefined); // the 'close' that follows is what counts
      ch.on('close', () => {
        if (channel === ch) channel = undefined;
        fail(new Error('the change feed channel was closed'));
      });
      await assertChangesExchange(ch, names);
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      await ch.bindQueue(queue, names.changes, '');
      // No acks: a lost notification is made good by the notify-all after a reconnect.
      await ch.consume(
        queue,
        (message) => (message ? onMessage(message.content, message.properties.headers) : fail(new Error(`RabbitMQ cancelled the consumer of ${queue}`))),
        { noAck: true },
      );
      channel = ch;
      if (pending.size > 0) {
        const waiting = [...pending];
        pending.clear();
        send(ch, waiting).catch(() => {
          try {
            hold(waiting);
          } catch (error) {
            log.warn(errorMessage(error));
          }
        });
      }
      if (reconnected) notifyAll();
      else log.info(`approval changes are shared with other replicas over RabbitMQ exchange ${names.changes}`);
    },
  });

  return {
    async publish(userIds) {
      if (closed) throw new Error('the approval change feed is closed');
      // Ids that waited for a connection ride along with the next publish.
      const ids = [...new Set([...pending, ...userIds])];
      if (ids.length === 0) return;
      pending.clear();
      const ch = channel;
      if (!ch) return hold(ids);
      try {
        await send(ch, ids);
      } catch {
        hold(ids); // the channel went down under us; sent after reconnecting
      }
    },
    subscribe: (userId, listener) => listeners.add(userId, listener),
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await connection.close();
    },
  };
}

/** The user ids of a change message, or null when it is not one. */
function parseChange(content: Buffer): string[] | null {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const userIds = (value as { userIds?: unknown }).userIds;
  if (!Array.isArray(userIds) || !userIds.every((id): id is string => typeof id === 'string')) return null;
  return userIds;
}
