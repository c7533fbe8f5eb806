import { context } from '@opentelemetry/api';
import { contextFromHeaders, withTraceHeaders } from '../../../lib/tracing/traceHeaders.ts';
import { isTracingOn } from '../../../lib/tracing/tracer.ts';
import type { ConfirmChannel } from 'amqplib';
import { errorMessage, type Logger } from '../../../lib/log.ts';
import { createChangeListeners, type ChangeFeed } from '../changeFeed.ts';
import { keepConnected, withTimeout, type ReconnectDelays } from '../../../lib/amqp/keepConnected.ts';
import { encodeChange, parseChange } from './changeMessage.ts';
import { confirmError } from './confirmError.ts';
import { createPendingChanges } from './pendingChanges.ts';
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
  const listeners = createChangeListeners(options.onListenerError ?? ((error: unknown) => log.warn(`a change listener failed: ${errorMessage(error)}`)));
  const pending = createPendingChanges(options.maxPending ?? DEFAULT_MAX_PENDING);
  let channel: ConfirmChannel | undefined;
  let closed = false;

  const receive = (content: Buffer, headers: Record<string, unknown> | undefined) => {
    if (closed) return;
    const deliver = () => {
      const userIds = parseChange(content);
      if (userIds) return listeners.notify(userIds);
      log.warn(`ignored a message on ${names.changes} that is not {"userIds":[…]}; only approval subgraphs should publish there`);
    };
    // Listeners (subscription pushes) run in the trace of the change, on every replica.
    if (isTracingOn()) context.with(contextFromHeaders(headers), deliver);
    else deliver();
  };

  /** Sends what waited for a connection; keeps it again if that fails. */
  const sendPending = (ch: ConfirmChannel) => {
    if (pending.size === 0) return;
    const waiting = pending.takeWith();
    sendChange(ch, names.changes, waiting).catch(() => {
      try {
        pending.hold(waiting);
      } catch (error) {
        log.warn(errorMessage(error));
      }
    });
  };

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
      await consumeChanges(ch, names, receive, fail);
      channel = ch;
      sendPending(ch);
      // This replica may have missed changes while disconnected; listeners re-read the store, so a spare call is safe.
      if (reconnected) listeners.notifyAll();
      else log.info(`approval changes are shared with other replicas over RabbitMQ exchange ${names.changes}`);
    },
  });

  return {
    async publish(userIds) {
      if (closed) throw new Error('the approval change feed is closed');
      // Ids that waited for a connection ride along with the next publish.
      const ids = pending.takeWith(userIds);
      if (ids.length === 0) return;
      const ch = channel;
      if (!ch) return pending.hold(ids);
      try {
        await sendChange(ch, names.changes, ids);
      } catch {
        pending.hold(ids); // the channel went down under us; sent after reconnecting
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

/** Binds an exclusive, server-named queue of this replica to the fanout exchange and hands each message to `receive`. */
async function consumeChanges(
  ch: ConfirmChannel,
  names: BrokerNames,
  receive: (content: Buffer, headers: Record<string, unknown> | undefined) => void,
  fail: (error: Error) => void,
): Promise<void> {
  await assertChangesExchange(ch, names);
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  await ch.bindQueue(queue, names.changes, '');
  // No acks: a lost notification is made good by the notify-all after a reconnect.
  await ch.consume(
    queue,
    (message) => (message ? receive(message.content, message.properties.headers) : fail(new Error(`RabbitMQ cancelled the consumer of ${queue}`))),
    {
      noAck: true,
    },
  );
}

/** Publishes one notification and waits for the broker's confirm (bounded: ingestion waits for it). */
function sendChange(ch: ConfirmChannel, exchange: string, userIds: readonly string[]): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      // Not persistent: a notification is only worth something while replicas are listening.
      ch.publish(exchange, '', encodeChange(userIds), { contentType: 'application/json', headers: withTraceHeaders({}) }, (error: unknown) =>
        error ? reject(confirmError(error)) : resolve(),
      );
    }),
    CONFIRM_TIMEOUT_MS,
    'RabbitMQ confirming a change notification',
  );
}
