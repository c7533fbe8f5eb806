import { describe, expect, it } from 'vitest';
import { createConnectionLifecycle } from '../../lib/amqp/connectionLifecycle.ts';
import { createReconnectBackoff } from '../../lib/amqp/reconnectBackoff.ts';

function fakeConnection(options: { failToClose?: boolean } = {}) {
  const connection = {
    closes: 0,
    close: () => {
      connection.closes++;
      return options.failToClose ? Promise.reject(new Error('socket already gone')) : Promise.resolve();
    },
  };
  return connection;
}

describe('reconnect backoff', () => {
  it('waits the initial delay first, then doubles it each attempt up to the maximum', () => {
    const backoff = createReconnectBackoff({ initialMs: 2000, maxMs: 30_000 });
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('starts again from the initial delay on a new loss', () => {
    const delays = { initialMs: 100, maxMs: 1000 };
    const first = createReconnectBackoff(delays);
    first.next();
    first.next();
    expect(createReconnectBackoff(delays).next()).toBe(100);
  });
});

describe('kept connection lifecycle', () => {
  it('cuts a wait between attempts short when closed', async () => {
    const lifecycle = createConnectionLifecycle();
    const started = Date.now();
    const waiting = lifecycle.sleep(60_000);
    await lifecycle.close();
    await waiting;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lifecycle.closed).toBe(true);
  });

  it('does not wait at all once closed', async () => {
    const lifecycle = createConnectionLifecycle();
    await lifecycle.close();
    const started = Date.now();
    await lifecycle.sleep(60_000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('closes the connection in use, ignoring its close error, and not one already released', async () => {
    const lifecycle = createConnectionLifecycle<ReturnType<typeof fakeConnection>>();
    const old = fakeConnection();
    const current = fakeConnection({ failToClose: true });
    lifecycle.adopt(old);
    lifecycle.release(old);
    lifecycle.adopt(current);
    await lifecycle.close();
    expect(old.closes).toBe(0);
    expect(current.closes).toBe(1);
  });

  it('keeps the newer connection when an older one is released late', async () => {
    const lifecycle = createConnectionLifecycle<ReturnType<typeof fakeConnection>>();
    const old = fakeConnection();
    const current = fakeConnection();
    lifecycle.adopt(old);
    lifecycle.adopt(current);
    lifecycle.release(old);
    await lifecycle.close();
    expect(current.closes).toBe(1);
  });
});
