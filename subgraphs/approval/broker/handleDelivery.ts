import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { withTimeout, type ReconnectDelays } from '../../../lib/amqp/keepConnected.ts';
import { errorMessage, type Logger } from '../../../lib/log.ts';
import { contextFromHeaders } from '../../../lib/tracing/traceHeaders.ts';
import { withSpan } from '../../../lib/tracing/tracer.ts';
import { MAX_EVENTS_BODY_BYTES } from '../ingest/httpIngest.ts';
import { IngestRejection, type BatchIngestor } from '../ingest/ingestBatch.ts';
import type { IngestObserver } from '../ingest/ingestObserver.ts';
import { abortableSleep } from './abortableSleep.ts';
import { deadLetter } from './deadLetter.ts';
import { createThrottledWarning } from './throttledWarning.ts';
import { headerString, type BrokerNames } from './topology.ts';

/** The channels one delivery is settled on. */
export interface DeliveryChannels {
  /** The consuming channel: the batch is acked or handed back there. */
  consumer: Pick<Channel, 'ack' | 'nack'>;
  /** A confirm channel for the dead-letter exchange. */
  deadLetters: Pick<ConfirmChannel, 'publish'>;
}

export interface DeliveryHandlerOptions {
  ingestor: BatchIngestor;
  names: BrokerNames;
  log: Pick<Logger, 'warn'>;
  deliveryLimit: number;
  /** Backoff before a batch that could not be stored goes back to the queue; doubles per delivery. */
  retry: ReconnectDelays;
  observer?: IngestObserver;
  /** Aborted at close: batches waiting for their retry go back to the queue at once. */
  stopping: AbortSignal;
}

const WARN_INTERVAL_MS = 5000;
const CONFIRM_TIMEOUT_MS = 10_000;

/**
 * What happens to one delivered batch: acked once stored; one that can never
 * be valid is republished to the dead-letter exchange with the reason and
 * then acked, so it is neither lost nor retried; one that failed to store
 * goes back to the queue after a backoff, and the quorum queue's delivery
 * limit dead-letters it if that keeps happening. Never rejects.
 */
export function createDeliveryHandler(options: DeliveryHandlerOptions): (channels: DeliveryChannels, message: ConsumeMessage) => Promise<void> {
  const { ingestor, names, observer } = options;
  const warnRefused = createThrottledWarning(options.log, WARN_INTERVAL_MS);
  const warnFailed = createThrottledWarning(options.log, WARN_INTERVAL_MS);

  /** Hands a batch back to the queue after a backoff that grows with its deliveries. */
  const requeueLater = async (consumer: DeliveryChannels['consumer'], message: ConsumeMessage, why: string): Promise<void> => {
    const returns = deliveryCount(message);
    const delay = Math.min(options.retry.initialMs * 2 ** returns, options.retry.maxMs);
    warnFailed(`${why}; the batch goes back to ${names.ingestQueue} in ${delay / 1000} s (retry ${returns + 1} of ${options.deliveryLimit})`);
    await abortableSleep(delay, options.stopping);
    settle(() => consumer.nack(message, false, true));
  };

  const refuse = async (channels: DeliveryChannels, message: ConsumeMessage, rejection: IngestRejection): Promise<void> => {
    observer?.refused('broker', rejection.reason);
    try {
      await withTimeout(deadLetter(channels.deadLetters, names.deadExchange, message, rejection), CONFIRM_TIMEOUT_MS, 'RabbitMQ confirming the dead letter');
    } catch (publishError) {
      await requeueLater(channels.consumer, message, `moving a refused batch to ${names.deadExchange} failed (${errorMessage(publishError)})`);
      return;
    }
    observer?.deadLettered(rejection.reason);
    settle(() => channels.consumer.ack(message));
    warnRefused(`refused a batch from RabbitMQ for "${message.fields.routingKey}" (${rejection.message}); moved it to ${names.deadQueue}`);
  };

  return async (channels, message) => {
    try {
      await store(ingestor, message);
    } catch (error) {
      if (error instanceof IngestRejection) return refuse(channels, message, error);
      observer?.failed('broker');
      return requeueLater(channels.consumer, message, `storing a batch from RabbitMQ failed (${errorMessage(error)})`);
    }
    // If the channel died meanwhile, ack fails and the batch is delivered again: harmless, the seq rule ignores repeats.
    settle(() => channels.consumer.ack(message));
  };
}

/** Checks, stores and announces the batch; throws IngestRejection for one that can never be valid. */
async function store(ingestor: BatchIngestor, message: ConsumeMessage): Promise<void> {
  const receivedAt = performance.now();
  // The same bound as POST /events, checked before anything parses the body.
  if (message.content.length > MAX_EVENTS_BODY_BYTES) {
    throw new IngestRejection(400, 'too_large', `body exceeds ${MAX_EVENTS_BODY_BYTES} bytes; send at most 1000 events per message`);
  }
  const headers = message.properties.headers;
  const system = message.fields.routingKey;
  // Continues the producer's trace when its message carries a traceparent.
  await withSpan(
    'approval.ingest',
    { 'gatehouse.approval.via': 'broker', 'gatehouse.approval.system': system },
    () => ingestor.ingest(message.content, headerString(headers, 'x-signature'), system, { via: 'broker', receivedAt }),
    contextFromHeaders(headers),
  );
}

/** How often the quorum queue has handed this message out before (its `x-delivery-count`). */
function deliveryCount(message: ConsumeMessage): number {
  const value: unknown = message.properties.headers?.['x-delivery-count'];
  return typeof value === 'number' && value >= 0 ? value : 0;
}

/** Acks and nacks throw once their channel is gone; the broker redelivers then, which is fine. */
function settle(step: () => void): void {
  try {
    step();
  } catch {
    // the channel closed: RabbitMQ hands the message out again
  }
}
