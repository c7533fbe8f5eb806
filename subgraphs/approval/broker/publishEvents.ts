import { withTraceHeaders } from '../../../lib/tracing/traceHeaders.ts';
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, Message } from 'amqplib';
import type { OutgoingEvent } from '../events/postEvents.ts';
import { signBody } from '../events/verifySignature.ts';
import { confirmError } from './confirmError.ts';
import { brokerNames, type BrokerNames } from './topology.ts';

export interface PublishEventsOptions {
  /** Default `brokerNames()`: exchange `approvals.events`. */
  names?: BrokerNames;
}

/** Thrown when no queue is bound for the batch: RabbitMQ would otherwise drop it silently. */
export class UnroutableBatchError extends Error {
  constructor(exchange: string, routingKey: string) {
    super(`no queue takes "${routingKey}" batches from ${exchange}; start the approval subgraph with AMQP_URL (it declares the queue) and publish again`);
    this.name = 'UnroutableBatchError';
  }
}

/** Per channel: message ids being published → "it came back unroutable". */
const returnWatchers = new WeakMap<ConfirmChannel, Map<string, () => void>>();

function watchReturns(channel: ConfirmChannel): Map<string, () => void> {
  let watchers = returnWatchers.get(channel);
  if (!watchers) {
    const map = new Map<string, () => void>();
    // One listener per channel, however many publishes are in flight.
    channel.on('return', (message: Message) => {
      const id = message.properties.messageId as unknown;
      if (typeof id === 'string') map.get(id)?.();
    });
    returnWatchers.set(channel, map);
    watchers = map;
  }
  return watchers;
}

/**
 * What a business system does over RabbitMQ (DESIGN.md): publish one signed
 * batch to `approvals.events` with the system id as routing key, persistent,
 * and wait for the broker's confirm. `events` may also be a raw body (tests).
 * `mandatory` makes an unroutable batch come back, which rejects with
 * UnroutableBatchError instead of vanishing. For demo producers, tests and
 * benchmarks.
 */
export async function publishEvents(
  channel: ConfirmChannel,
  systemId: string,
  events: OutgoingEvent | OutgoingEvent[] | string,
  secret: string,
  options: PublishEventsOptions = {},
): Promise<void> {
  const body = typeof events === 'string' ? events : JSON.stringify(events);
  const exchange = (options.names ?? brokerNames()).events;
  const messageId = randomUUID();
  const watchers = watchReturns(channel);
  let unroutable = false;
  watchers.set(messageId, () => (unroutable = true));
  try {
    await new Promise<void>((resolve, reject) => {
      channel.publish(
        exchange,
        systemId,
        Buffer.from(body),
        {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          messageId,
          timestamp: Math.floor(Date.now() / 1000),
          // A traced producer's trace continues through ingestion to the subscribers' pushes.
          headers: withTraceHeaders({ 'x-signature': signBody(body, secret) }),
        },
        // RabbitMQ sends basic.return before the confirm, so `unroutable` is set by now.
        (error: unknown) => (error ? reject(confirmError(error)) : resolve()),
      );
    });
  } finally {
    watchers.delete(messageId);
  }
  if (unroutable) throw new UnroutableBatchError(exchange, systemId);
}
