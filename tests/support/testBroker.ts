import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { brokerNames, deleteTopology, type BrokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { waitFor } from './waitFor.ts';

/** The RabbitMQ the tests share (scripts/ensure-test-services.sh starts it). */
export const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';

export interface TestBroker {
  /** `test-<label>-<random>`: the prefix a spawned approval subgraph takes as APPROVAL_BROKER_PREFIX. */
  prefix: string;
  /** Exchange and queue names of this test alone, so runs share the broker without sharing queues. */
  names: BrokerNames;
  /** A producer's connection and confirm channel, for publishing and looking at queues. */
  connection: ChannelModel;
  channel: ConfirmChannel;
  /**
   * Resolves once the ingest queue has no consumer left and says how many
   * messages are ready in it. RabbitMQ drops a closed consumer and hands back
   * what it held unacked in one step, so the count includes anything returned.
   */
  readyAfterConsumersLeft(): Promise<number>;
  /** Deletes this test's exchanges and queues and closes the connection. */
  close(): Promise<void>;
}

/** Connects a producer to the test broker, with names prefixed `test-<label>-<random>`. */
export async function openTestBroker(label: string): Promise<TestBroker> {
  const prefix = `test-${label}-${randomUUID().slice(0, 8)}`;
  const names = brokerNames(prefix);
  const connection = await connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  return {
    prefix,
    names,
    connection,
    channel,
    readyAfterConsumersLeft: async () => {
      const queue = await waitFor('the ingest queue to lose its consumers', async () => {
        const state = await channel.checkQueue(names.ingestQueue);
        return state.consumerCount === 0 && state;
      });
      return queue.messageCount;
    },
    close: async () => {
      await deleteTopology(channel, names).catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
