import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../lib/log.ts';
import { createRabbitChangeFeed } from '../../subgraphs/approval/broker/createRabbitChangeFeed.ts';
import { brokerNames } from '../../subgraphs/approval/broker/topology.ts';
import type { ChangeFeed } from '../../subgraphs/approval/changeFeed.ts';

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with how long the first call took; rejects after `ms`. */
function heardWithin(ms: number, subscribe: (listener: () => void) => void): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing heard within ${ms} ms`)), ms);
    subscribe(() => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe('the RabbitMQ change feed across replicas', () => {
  const names = brokerNames(`test-feed-${randomUUID().slice(0, 8)}`);
  let a: ChangeFeed;
  let b: ChangeFeed;

  beforeAll(async () => {
    a = await createRabbitChangeFeed({ amqpUrl: AMQP_URL, log: quiet, names });
    b = await createRabbitChangeFeed({ amqpUrl: AMQP_URL, log: quiet, names });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const model = await connect(AMQP_URL);
    const channel = await model.createChannel();
    await channel.deleteExchange(names.changes);
    await model.close();
  });

  it('tells listeners on B about a publish on A within a second, and only the right user', async () => {
    const calls = { other: 0, onA: 0 };
    const unsubscribeOther = b.subscribe('u-other', () => calls.other++);
    const unsubscribeA = a.subscribe('u-1', () => calls.onA++);
    const heard = heardWithin(1000, (listener) => b.subscribe('u-1', listener));
    await a.publish(['u-1', 'u-1']);
    expect(await heard).toBeLessThan(1000);
    await pause(200);
    expect(calls.other).toBe(0);
    // A hears its own publish through the broker, once (no extra local notification).
    expect(calls.onA).toBe(1);
    unsubscribeOther();
    unsubscribeA();
  });

  it('stops calling a listener once it unsubscribed', async () => {
    let calls = 0;
    const unsubscribe = b.subscribe('u-2', () => calls++);
    await a.publish(['u-2']);
    await pause(200);
    unsubscribe();
    await a.publish(['u-2']);
    await pause(200);
    expect(calls).toBe(1);
  });

  it('keeps calling the other listeners when one throws', async () => {
    b.subscribe('u-3', () => {
      throw new Error('listener bug');
    });
    const heard = heardWithin(1000, (listener) => b.subscribe('u-3', listener));
    await a.publish(['u-3']);
    await heard;
  });

  it('closes: a closed feed calls no listener and refuses to publish', async () => {
    const c = await createRabbitChangeFeed({ amqpUrl: AMQP_URL, log: quiet, names });
    let calls = 0;
    c.subscribe('u-4', () => calls++);
    await c.close();
    await a.publish(['u-4']);
    await pause(200);
    expect(calls).toBe(0);
    await expect(c.publish(['u-4'])).rejects.toThrow(/closed/);
    await c.close(); // twice is fine
  });
});
