import type { ConfirmChannel } from 'amqplib';
import { keepConnected } from '../../lib/amqp/keepConnected.ts';
import type { Logger } from '../../lib/log.ts';
import { publishEvents } from '../../subgraphs/approval/broker/publishEvents.ts';
import { assertIngestTopology, type BrokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { postEvents } from '../../subgraphs/approval/events/postEvents.ts';
import type { DemoDelivery } from './demoEventPlan.ts';

export interface EventSink {
  /** Where deliveries go, for log lines. */
  where: string;
  /** Added to a failure report: what to check. */
  failureHint: string;
  /** Sends one delivery signed with `secret`; throws when it was not accepted. */
  deliver(delivery: DemoDelivery, secret: string): Promise<void>;
  close(): Promise<void>;
}

/** The approval subgraph's `POST /events`. */
export function httpEventSink(eventsUrl: string): EventSink {
  return {
    where: eventsUrl,
    failureHint: ' (is the approval subgraph running?)',
    async deliver(delivery, secret) {
      const result = await postEvents(eventsUrl, delivery.events, secret);
      if (result.status === 202) return;
      const reason = result.body.error;
      throw new Error(`HTTP ${result.status}: ${typeof reason === 'string' ? reason : JSON.stringify(result.body)}`);
    },
    close: () => Promise.resolve(),
  };
}

/** The approval ingest exchange, over a kept RabbitMQ connection with a confirm channel. */
export async function rabbitEventSink(options: { amqpUrl: string; names: BrokerNames; log: Logger }): Promise<EventSink> {
  const { names } = options;
  let channel: ConfirmChannel | undefined;
  const broker = await keepConnected({
    amqpUrl: options.amqpUrl,
    log: options.log,
    purpose: 'demo event source',
    onLost: () => (channel = undefined),
    async setup({ model, fail }) {
      const ch = await model.createConfirmChannel();
      ch.on('error', () => undefined);
      ch.on('close', () => {
        if (channel === ch) channel = undefined;
        fail(new Error('the publishing channel was closed'));
      });
      // Declaring the queue too means events wait there if the approval subgraph is not up yet.
      await assertIngestTopology(ch, names);
      channel = ch;
    },
  });
  return {
    where: `RabbitMQ exchange ${names.events}`,
    failureHint: '',
    async deliver(delivery, secret) {
      if (!channel) throw new Error('not connected to RabbitMQ');
      await publishEvents(channel, delivery.system, delivery.events, secret, { names });
    },
    close: () => broker.close(),
  };
}
