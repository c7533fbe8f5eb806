import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { IngestRejection } from '../ingest/ingestBatch.ts';
import { confirmError } from './confirmError.ts';

/** The original body and headers plus why it was refused, confirmed by the broker before returning. */
export function deadLetter(channel: Pick<ConfirmChannel, 'publish'>, exchange: string, message: ConsumeMessage, rejection: IngestRejection): Promise<void> {
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
      (error: unknown) => (error ? reject(confirmError(error)) : resolve()),
    );
  });
}
