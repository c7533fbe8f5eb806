import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { keepConnected, type ReconnectDelays } from '../../../lib/amqp/keepConnected.ts';
import type { Logger } from '../../../lib/log.ts';
import type { BatchIngestor } from '../ingest/ingestBatch.ts';
import type { IngestObserver } from '../ingest/ingestObserver.ts';
import { abortableSleep } from './abortableSleep.ts';
import { createDeliveryHandler } from './handleDelivery.ts';
import { assertIngestTopology, brokerNames, DEFAULT_DELIVERY_LIMIT, type BrokerNames } from './topology.ts';

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

/**
 * Consumes signed event batches from RabbitMQ (DESIGN.md: exchange
 * `approvals.events`, routing key = system id, the `POST /events` body, the
 * signature in `x-signature`). What becomes of each batch is handleDelivery.ts;
 * this keeps the consumer connected, bounds how many batches are stored at
 * once, and lets them finish at close.
 */
export async function startBrokerIngest(options: BrokerIngestOptions): Promise<BrokerIngest> {
  const { log } = options;
  const names = options.names ?? brokerNames();
  const prefetch = options.prefetch ?? DEFAULT_PREFETCH;
  // 0 would mean "no limit" to RabbitMQ: unbounded concurrent writes.
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new Error(`prefetch must be a positive integer, got ${prefetch}`);
  const deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  const stopping = new AbortController();
  const handle = createDeliveryHandler({
    ingestor: options.ingestor,
    names,
    log,
    deliveryLimit,
    retry: { ...DEFAULT_RETRY_DELAYS, ...options.retryDelays },
    observer: options.observer,
    stopping: stopping.signal,
  });
  const inFlight = createTaskSet();
  let consumer: { channel: Channel; tag: string } | undefined;
  let closing: Promise<void> | undefined;

  const connection = await keepConnected({
    amqpUrl: options.amqpUrl,
    log,
    purpose: 'approval event ingestion',
    reconnectDelays: options.reconnectDelays,
    async setup({ model, reconnected, fail }) {
      if (closing) throw new Error('closing');
      const channels = await openChannels(model, fail);
      await assertIngestTopology(channels.consumer, names, deliveryLimit);
      await channels.consumer.prefetch(prefetch);
      // Batches are stored concurrently, up to `prefetch`, in whatever order they finish:
      // the seq rule (highest seq per pair wins) makes arrival and completion order irrelevant.
      const { consumerTag } = await channels.consumer.consume(names.ingestQueue, (message) => {
        if (message === null) return fail(new Error(`RabbitMQ cancelled the consumer of ${names.ingestQueue} (queue deleted?)`));
        inFlight.add(handle(channels, message));
      });
      consumer = { channel: channels.consumer, tag: consumerTag };
      if (!reconnected) log.info(`consuming approval events from RabbitMQ queue ${names.ingestQueue} (up to ${prefetch} batches at once)`);
    },
  });

  return {
    close() {
      closing ??= (async () => {
        // No new deliveries; batches waiting to be retried go back now; stored ones get acked.
        await consumer?.channel.cancel(consumer.tag).catch(() => undefined);
        stopping.abort();
        await inFlight.settled(DRAIN_LIMIT_MS);
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

/** A consuming channel and a confirm channel for dead letters; either closing fails the connection. */
async function openChannels(model: ChannelModel, fail: (error: Error) => void): Promise<{ consumer: Channel; deadLetters: ConfirmChannel }> {
  const consumer = await model.createChannel();
  const deadLetters = await model.createConfirmChannel();
  for (const ch of [consumer, deadLetters]) {
    ch.on('error', () => undefined); // the 'close' that follows is what counts
    ch.on('close', () => fail(new Error('a RabbitMQ channel was closed')));
  }
  return { consumer, deadLetters };
}

/** Tasks under way (they never reject), and a bounded wait for them. */
function createTaskSet() {
  const tasks = new Set<Promise<void>>();
  return {
    add(task: Promise<void>) {
      tasks.add(task);
      const forget = () => tasks.delete(task);
      task.then(forget, forget);
    },
    async settled(limitMs: number) {
      const limit = new AbortController();
      await Promise.race([Promise.allSettled([...tasks]), abortableSleep(limitMs, limit.signal)]);
      limit.abort();
    },
  };
}
