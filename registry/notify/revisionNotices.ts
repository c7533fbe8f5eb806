import type { Channel } from 'amqplib';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { keepConnected, type KeptConnection } from '../../lib/amqp/keepConnected.ts';

/** Fanout exchange telling every gateway "revision N is out". */
export const DEFAULT_REVISION_EXCHANGE = 'gatehouse.supergraph';

export interface RevisionNotice {
  revision: number;
  id: string;
}

export interface RevisionAnnouncer {
  announce(notice: RevisionNotice): void;
  close(): Promise<void>;
}

/**
 * The registry's side: best effort, because gateways also poll. A notice
 * that cannot be sent costs a gateway at most one poll interval.
 */
export async function createRevisionAnnouncer(options: { amqpUrl: string; log: Logger; exchange?: string }): Promise<RevisionAnnouncer> {
  const exchange = options.exchange ?? DEFAULT_REVISION_EXCHANGE;
  let channel: Channel | undefined;
  const connection = await keepConnected({
    amqpUrl: options.amqpUrl,
    log: options.log,
    purpose: 'registry revision notices',
    setup: async (session) => {
      const opened = await session.model.createChannel();
      opened.on('error', (error: Error) => session.fail(error));
      await opened.assertExchange(exchange, 'fanout', { durable: true });
      channel = opened;
    },
    onLost: () => (channel = undefined),
  });
  return {
    announce(notice) {
      if (!channel)
        return void options.log.warn(`could not announce revision ${notice.revision}: RabbitMQ is not connected; gateways will see it on their next poll`);
      try {
        channel.publish(exchange, '', Buffer.from(JSON.stringify(notice)), { contentType: 'application/json' });
      } catch (error) {
        options.log.warn(`could not announce revision ${notice.revision} (${errorMessage(error)}); gateways will see it on their next poll`);
      }
    },
    close: () => connection.close(),
  };
}

/** The gateway's side: each notice (or anything on the exchange) triggers an immediate poll. */
export async function listenForRevisions(options: { amqpUrl: string; log: Logger; exchange?: string; onNotice: () => void }): Promise<KeptConnection> {
  const exchange = options.exchange ?? DEFAULT_REVISION_EXCHANGE;
  return keepConnected({
    amqpUrl: options.amqpUrl,
    log: options.log,
    purpose: 'supergraph revision notices',
    setup: async (session) => {
      const channel = await session.model.createChannel();
      channel.on('error', (error: Error) => session.fail(error));
      await channel.assertExchange(exchange, 'fanout', { durable: true });
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.bindQueue(queue, exchange, '');
      await channel.consume(queue, () => options.onNotice(), { noAck: true });
      // Whatever was published while disconnected is found by polling now.
      if (session.reconnected) options.onNotice();
    },
  });
}
