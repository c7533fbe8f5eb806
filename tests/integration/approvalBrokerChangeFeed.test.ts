import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRabbitChangeFeed } from '../../subgraphs/approval/broker/createRabbitChangeFeed.ts';
import type { ChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { silentLogger as quiet } from '../support/logs.ts';
import { AMQP_URL, openTestBroker, type TestBroker } from '../support/testBroker.ts';

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

/**
 * Publishes a change of `marker` on `from` and resolves once `to` hears it. The
 * broker delivers one publisher's messages to a replica in order, so anything
 * published before it that was going to reach `to` has reached it by then.
 */
async function roundTrip(from: ChangeFeed, to: ChangeFeed, marker: string): Promise<void> {
  let resolveHeard: () => void = () => undefined;
  const heard = new Promise<void>((resolve) => (resolveHeard = resolve));
  const unsubscribe = to.subscribe(marker, () => resolveHeard());
  await from.publish([marker]);
  await heard;
  unsubscribe();
}

describe('the RabbitMQ change feed across replicas', () => {
  let broker: TestBroker;
  let names: TestBroker['names'];
  let a: ChangeFeed;
  let b: ChangeFeed;

  beforeAll(async () => {
    broker = await openTestBroker('feed');
    names = broker.names;
    a = await createRabbitChangeFeed({ amqpUrl: AMQP_URL, log: quiet, names });
    b = await createRabbitChangeFeed({ amqpUrl: AMQP_URL, log: quiet, names });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await broker?.close();
  });

  it('tells listeners on B about a publish on A within a second, and only the right user', async () => {
    const calls = { other: 0, onA: 0 };
    const unsubscribeOther = b.subscribe('u-other', () => calls.other++);
    const unsubscribeA = a.subscribe('u-1', () => calls.onA++);
    const heard = heardWithin(1000, (listener) => b.subscribe('u-1', listener));
    await a.publish(['u-1', 'u-1']);
    expect(await heard).toBeLessThan(1000);
    await Promise.all([roundTrip(a, a, 'u-marker-1'), roundTrip(a, b, 'u-marker-1')]);
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
    await roundTrip(a, b, 'u-marker-2');
    expect(calls).toBe(1);
    unsubscribe();
    await a.publish(['u-2']);
    await roundTrip(a, b, 'u-marker-2');
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
    await roundTrip(a, b, 'u-marker-4');
    expect(calls).toBe(0);
    await expect(c.publish(['u-4'])).rejects.toThrow(/closed/);
    await c.close(); // twice is fine
  });
});
