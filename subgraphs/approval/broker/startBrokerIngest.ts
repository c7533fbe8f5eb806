import { contextFromHeaders } from '../../../lib/tracing/traceHeaders.ts';
import { withSpan } from '../../../lib/tracing/tracer.ts';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { errorMessage, type Logger } from '../../../lib/log.ts';
import { MAX_EVENTS_BODY_BYTES } from '../ingest/httpIngest.ts';
import { IngestRejection, type BatchIngestor } from '../ingest/ingestBatch.ts';
import type { IngestObserver } from '../ingest/ingestObserver.ts';
import { keepConnected, withTimeout, type ReconnectDelays } from '../../../lib/amqp/keepConnected.ts';
import { assertIngestTopology, brokerNames, DEFAULT_DELIVERY_LIMIT, headerString, type BrokerNames } from './topology.ts';

export interface BrokerIngestOptions {
  amqpUrl: string;
  ingestor: BatchIngestor;
  log: Logger;
  /** Batches stored at once (RabbitMQ prefetch). Default 32. */
  prefetch?: number;
  /** Default `brokerNames()`, the names of DESIGN.md. */
  names?: BrokerNames;
  deliveryLimit?: number;
  /** Backoff before a batch that could not be stored goes back to the queue; doubles per delivery. */
  retryDelays?: Partial<ReconnectDelays>;
  reconnectDelays?: Partial<ReconnectDelays>;
  /** Told of refused, dead-lettered and failed batches (the ingestor reports stored ones). */
  observer?: IngestObserver;
}

export interface BrokerIngest {
  /** Stops consuming, lets batches being stored finish (up to 10 s), disconnects. */
  close(): Promise<void>;
}

export const DEFAULT_PREFETCH = 32;
const DEFAULT_RETRY_DELAYS: ReconnectDelays = { initialMs: 1000, maxMs: 30_000 };
const DRAIN_LIMIT_MS = 10_000;
const WARN_INTERVAL_MS = 5000;
const CONFIRM_TIMEOUT_MS = 10_000;

/**
 * Consumes signed event batches from RabbitMQ (DESIGN.md: exchange
 * `approvals.events`, routing key = system id, the `POST /events` body, the
 * signature in `x-signature`). A batch is acked only once stored. One that can
 * never be valid is republished to the dead-letter exchange with the reason
 * and then acked, so it is neither lost nor retried; one that failed to store
 * goes back to the queue after a backoff, and the quorum queue's delivery
 * limit dead-letters it if that keeps happening.
 */
export async function startBrokerIngest(options: BrokerIngestOptions): Promise<BrokerIngest> {
  const { ingestor, log, observer } = options;
  const names = options.names ?? brokerNames();
  const prefetch = options.prefetch ?? DEFAULT_PREFETCH;
  // 0 would mean "no limit" to RabbitMQ: unbounded concurrent writes.
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new Error(`prefetch must be a positive integer, got ${prefetch}`);
  const deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  const retry = { ...DEFAULT_RETRY_DELAYS, ...options.retryDelays };
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const warnRefused = throttled(log, WARN_INTERVAL_MS);
  const warnFailed = throttled(log, WARN_INTERVAL_MS);
  let consumer: { channel: Channel; tag: string } | undefined;
  let closing: Promise<void> | undefined;

  /** Hands a batch back to the queue after a backoff that grows with its deliveries. */
  const requeueLater = async (channel: Channel, message: ConsumeMessage, why: string): Promise<void> => {
    const returns = deliveryCount(message);
    const delay = Math.min(retry.initialMs * 2 ** returns, retry.maxMs);
    warnFailed(`${why}; the batch goes back to ${names.ingestQueue} in ${delay / 1000} s (retry ${returns + 1} of ${deliveryLimit})`);
    await sleep(delay, stopping.signal);
    settle(() => channel.nack(message, false, true));
  };

  const handle = async (channel: Channel, deadLetters: ConfirmChannel, message: ConsumeMessage): Promise<void> => {
    const receivedAt = performance.now();
    const headers = message.properties.headers;
    try {
      // The same bound as POST /events, checked before anything parses the body.
      if (message.content.length > MAX_EVENTS_BODY_BYTES) {
        throw new IngestRejection(400, 'too_large', `body exceeds ${MAX_EVENTS_BODY_BYTES} bytes; send at most 1000 events per message`);
      }
      // Continues the producer's trace when its message carries a traceparent.
      await withSpan(
        'approval.ingest',
        { 'gatehouse.approval.via': 'broker', 'gatehouse.approval.system': message.fields.routingKey },
        () => ingestor.ingest(message.content, headerString(headers, 'x-signature'), message.fields.routingKey, { via: 'broker', receivedAt }),
        contextFromHeaders(headers),
      );
      // If the channel died meanwhile, ack fails and the batch is delivered again: harmless, the seq rule ignores repeats.
      settle(() => channel.ack(message));
    } catch (error) {
      if (!(error instanceof IngestRejection)) {
        observer?.failed('broker');
        await requeueLater(channel, message, `storing a batch from RabbitMQ failed (${errorMessage(error)})`);
        return;
      }
      observer?.refused('broker', error.reason);
      try {
        await withTimeout(deadLetter(deadLetters, names.deadExchange, message, error), CONFIRM_TIMEOUT_MS, 'RabbitMQ confirming the dead letter');
      } catch (publishError) {
        await requeueLater(channel, message, `moving a refused batch to ${names.deadExchange} failed (${errorMessage(publishError)})`);
        return;
      }
      observer?.deadLettered(error.reason);
      settle(() => channel.ack(message));
      warnRefused(`refused a batch from RabbitMQ for "${message.fields.routingKey}" (${error.message}); moved it to ${names.deadQueue}`);
    }
  };

  const connection = await keepConnected({
    amqpUrl: options.amqpUrl,
    log,
    purpose: 'approval event ingestion',
    reconnectDelays: options.reconnectDelays,
    async setup({ model, reconnected, fail }) {
      if (closing) throw new Error('closing');
      const channel = await model.createChannel();
      const deadLetters = await model.createConfirmChannel();
      for (const ch of [channel, deadLetters]) {
        ch.on('error', () => undefined); // the 'close' that follows is what counts
        ch.on('close', () => fail(new Error('a RabbitMQ channel was closed')));
      }
      await assertIngestTopology(channel, names, deliveryLimit);
      await channel.prefetch(prefetch);
      // Batches are stored concurrently, up to `prefetch`, in whatever order they finish:
      // the seq rule (highest seq per pair wins) makes arrival and completion order irrelevant.
      const { consumerTag } = await channel.consume(names.ingestQueue, (message) => {
        if (message === null) {
          fail(new Error(`RabbitMQ cancelled the consumer of ${names.ingestQueue} (queue deleted?)`));
          return;
        }
        const task = handle(channel, deadLetters, message);
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      });
      consumer = { channel, tag: consumerTag };
      if (!reconnected) log.info(`consuming approval events from RabbitMQ queue ${names.ingestQueue} (up to ${prefetch} batches at once)`);
    },
  });

  return {
    close() {
      closing ??= (async () => {
        // No new deliveries; batches waiting to be retried go back now; stored ones get acked.
        await consumer?.channel.cancel(consumer.tag).catch(() => undefined);
        stopping.abort();
        const drained = new AbortController();
        await Promise.race([Promise.allSettled([...inFlight]), sleep(DRAIN_LIMIT_MS, drained.signal)]);
        drained.abort();
        // A round trip on the channel before closing: RabbitMQ's quorum queues were seen to drop
        // acks that arrive just before a close (rabbitmq-server#10327), redelivering those batches.
        await consumer?.channel.checkQueue(names.ingestQueue).catch(() => undefined);
        // Anything still unacked is redelivered by RabbitMQ when the connection goes.
        await connection.close();
      })();
      return closing;
    },
  };
}

/** The original body and headers plus why it was refused, confirmed by the broker before returning. */
function deadLetter(channel: ConfirmChannel, exchange: string, message: ConsumeMessage, rejection: IngestRejection): Promise<void> {
  const { fields, properties } = message;
  const { 'x-delivery-count': _count, ...original } = (properties.headers ?? {}) as Record<string, unknown>;
  const headers = {
    ...original,
    'x-rejection-reason': rejection.message,
    'x-rejection-status': rejection.status,
    'x-original-exchange': fields.exchange,
    'x-original-routing-key': fields.routingKey,
    'x-rejected-at': new Date().toISOString(),
  };
  return new Promise((resolve, reject) => {
    channel.publish(
      exchange,
      fields.routingKey,
      message.content,
      {
        persistent: true,
        headers,
        contentType: properties.contentType as string | undefined,
        messageId: properties.messageId as string | undefined,
        appId: properties.appId as string | undefined,
        timestamp: properties.timestamp as number | undefined,
      },
      (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
    );
  });
}

/** How often the quorum queue has handed this message out before (its `x-delivery-count`). */
function deliveryCount(message: ConsumeMessage): number {
  const value = message.properties.headers?.['x-delivery-count'];
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** At most one line per interval for a repeating problem, counting the ones left out. */
function throttled(log: Logger, intervalMs: number): (message: string) => void {
  let last = 0;
  let skipped = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      skipped += 1;
      return;
    }
    last = now;
    log.warn(skipped > 0 ? `${message} (+${skipped} similar since the last report)` : message);
    skipped = 0;
  };
}
