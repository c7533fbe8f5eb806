import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { eventsUrlOf, postEvents, type OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';
import { subscriberClient, watch } from '../support/approvalSubscriptions.ts';
import { waitFor } from '../support/waitFor.ts';

let system: TestSystem;
let seq = 1000;

function event(userId: string, system: string, count: number): OutgoingEvent {
  return { system, userId, count, occurredAt: new Date().toISOString(), seq: ++seq };
}
async function send(events: OutgoingEvent[], secret: string): Promise<void> {
  const result = await postEvents(eventsUrlOf(system.subgraphUrls.approval!), events, secret);
  expect(result.status).toBe(202);
}
const client = (userId: string): Promise<Client> => subscriberClient(system.gatewayUrl, userId);

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

describe('live approval counts through the gateway', () => {
  it('sends the current summary at once, then every change, within a second', async () => {
    const c = await client('u-live-1');
    const view = watch(c);
    expect(await view.next(() => true)).toEqual({ total: 0, items: [] });
    const sent = Date.now();
    await send([event('u-live-1', 'hr', 3)], 'dev-secret-hr');
    const update = await view.next((s) => s.total === 3);
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(update.items).toEqual([
      { system: { id: 'hr', name: 'HR', url: 'https://hr.example.com/approvals' }, count: 3, url: expect.stringContaining('https://hr.example.com/approvals') },
    ]);
    await send([event('u-live-1', 'finance', 2)], 'dev-secret-finance');
    expect((await view.next((s) => s.total === 5)).items.map((i) => [i.system.id, i.count])).toEqual([
      ['finance', 2],
      ['hr', 3],
    ]);
    await send([event('u-live-1', 'hr', 0)], 'dev-secret-hr');
    expect((await view.next((s) => s.total === 2)).items.map((i) => i.system.id)).toEqual(['finance']);
    view.stop();
    await c.dispose();
  });

  it("never shows one user's changes to another", async () => {
    const [a, b] = await Promise.all([client('u-live-a'), client('u-live-b')]);
    const [viewA, viewB] = [watch(a), watch(b)];
    await Promise.all([viewA.next(() => true), viewB.next(() => true)]);
    await send([event('u-live-a', 'security', 4)], 'dev-secret-security');
    await viewA.next((s) => s.total === 4);
    // B's own change is sent after A's and reaches B after it: had A's leaked to B, B would have seen it by now.
    await send([event('u-live-b', 'hr', 1)], 'dev-secret-hr');
    await viewB.next((s) => s.total === 1);
    expect(viewB.seen.map((s) => s.total)).toEqual([0, 1]);
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it('gives a subscriber that reconnects the current summary again', async () => {
    const first = await client('u-live-r');
    const view = watch(first);
    await view.next(() => true);
    await first.dispose();
    await send([event('u-live-r', 'hr', 7)], 'dev-secret-hr'); // while disconnected
    const second = await client('u-live-r');
    const again = watch(second);
    expect((await again.next(() => true)).total).toBe(7);
    await second.dispose();
  });

  it('answers me { approvals } for the token holder only', async () => {
    await send([event('u-live-q', 'finance', 9)], 'dev-secret-finance');
    const token = await signToken({ userId: 'u-live-q', secret: DEV_JWT_SECRET });
    const query = '{ me { id approvals { total items { system { id } count } } } }';
    const mine = await postGraphQL<{ me: { id: string; approvals: { total: number } } }>(system.graphqlUrl, query, {}, { authorization: `Bearer ${token}` });
    expect(mine.data?.me).toEqual({ id: 'u-live-q', approvals: { total: 9, items: [{ system: { id: 'finance' }, count: 9 }] } });
    const anonymous = await postGraphQL<{ me: null }>(system.graphqlUrl, query);
    expect(anonymous.data?.me).toBeNull();
    const forged = await postGraphQL(
      system.graphqlUrl,
      query,
      {},
      { authorization: `Bearer ${await signToken({ userId: 'u-live-q', secret: 'not-the-secret' })}` },
    );
    expect(forged.status).toBe(401);
  });

  it('refuses an unauthenticated subscription with a clear error', async () => {
    const anonymous = createClient({ url: `${system.gatewayUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    const view = watch(anonymous);
    await waitFor('the refusal to arrive', () => view.errors.length > 0);
    expect(view.seen).toEqual([]);
    expect(JSON.stringify(view.errors)).toMatch(/UNAUTHENTICATED|sign in|token/i);
    await anonymous.dispose();
  });
});
