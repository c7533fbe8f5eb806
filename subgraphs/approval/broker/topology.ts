import type { Channel } from 'amqplib';

/** Every exchange and queue the approval subgraph uses on RabbitMQ. */
export interface BrokerNames {
  /** Topic exchange business systems publish to; routing key = system id. */
  events: string;
  /** Quorum queue the approval subgraph consumes, bound to `events` with `#`. */
  ingestQueue: string;
  /** Where refused batches (and ones over the delivery limit) go. */
  deadExchange: string;
  /** Quorum queue holding them for an operator to look at. */
  deadQueue: string;
  /** Fanout exchange carrying "these users' counts changed" between replicas. */
  changes: string;
}

/**
 * The names of DESIGN.md; a prefix (`test-1a2b` → `test-1a2b.approvals.events`)
 * lets test runs and benchmarks share a broker without sharing queues.
 */
export function brokerNames(prefix?: string): BrokerNames {
  const p = prefix ? `${prefix}.` : '';
  return {
    events: `${p}approvals.events`,
    ingestQueue: `${p}approvals.ingest`,
    deadExchange: `${p}approvals.events.dead`,
    deadQueue: `${p}approvals.dead`,
    changes: `${p}approvals.changes`,
  };
}

/**
 * How often RabbitMQ hands out one message before dead-lettering it. Storage
 * failures are retried with a growing backoff (see startBrokerIngest), so 20
 * deliveries ride out several minutes of database outage, not forever.
 */
export const DEFAULT_DELIVERY_LIMIT = 20;

/**
 * Declares the ingestion topology; idempotent, so the consumer and producers
 * (demo source, tests) may all call it. The queue arguments must be the same
 * everywhere: RabbitMQ refuses a redeclaration with other arguments.
 */
export async function assertIngestTopology(channel: Channel, names: BrokerNames, deliveryLimit = DEFAULT_DELIVERY_LIMIT): Promise<void> {
  await channel.assertExchange(names.events, 'topic', { durable: true });
  // Topic as well, so dead letters keep their system as routing key and can be filtered.
  await channel.assertExchange(names.deadExchange, 'topic', { durable: true });
  await channel.assertQueue(names.deadQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(names.deadQueue, names.deadExchange, '#');
  await channel.assertQueue(names.ingestQueue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': names.deadExchange,
    },
  });
  await channel.bindQueue(names.ingestQueue, names.events, '#');
}

/** The change feed's fanout exchange; each replica binds its own queue to it. */
export async function assertChangesExchange(channel: Channel, names: BrokerNames): Promise<void> {
  await channel.assertExchange(names.changes, 'fanout', { durable: true });
}

/** Removes everything `brokerNames(prefix)` names; for tests and benchmarks. */
export async function deleteTopology(channel: Channel, names: BrokerNames): Promise<void> {
  await channel.deleteQueue(names.ingestQueue);
  await channel.deleteQueue(names.deadQueue);
  await channel.deleteExchange(names.events);
  await channel.deleteExchange(names.deadExchange);
  await channel.deleteExchange(names.changes);
}

/** A header value as a string (RabbitMQ clients send long strings as text or bytes). */
export function headerString(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}
