import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../../gateway/auth/gatewayContext.ts';
import type { SupergraphManager } from '@apollo/gateway';
import { parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { createOperationHandlers } from '../../gateway/subscriptions/createOperationHandlers.ts';
import { createSubscriptionRuntimes, type SubscriptionRuntimes } from '../../gateway/subscriptions/createSubscriptionRuntimes.ts';
import { createVersionedGateway, type VersionedGateway } from '../../gateway/supergraph/createVersionedGateway.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

// A subgraph socket that acknowledges the connection and never sends an event: enough for a stream to start and be ended.
let silent: WebSocketServer;
let TICKS_URL = '';
beforeAll(async () => {
  silent = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (protocols) => [...protocols][0] ?? false });
  silent.on('connection', (socket) =>
    socket.on('message', (data) => {
      if ((JSON.parse((data as Buffer).toString()) as { type?: string }).type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
    }),
  );
  await new Promise((r) => silent.once('listening', r));
  TICKS_URL = `http://127.0.0.1:${(silent.address() as { port: number }).port}/graphql`;
});
afterAll(async () => {
  for (const socket of silent.clients) socket.terminate();
  await new Promise((r) => silent.close(r));
});

function supergraph(subscription: string, url = TICKS_URL): string {
  const result = composeSupergraph([{ name: 'ticks', url, sdl: `type Query { ok: Boolean } type Subscription { ${subscription}: Int }` }]);
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.supergraphSdl;
}

let opened: Array<{ gateway: VersionedGateway; runtimes: SubscriptionRuntimes }> = [];
afterEach(async () => {
  for (const { gateway, runtimes } of opened) {
    await runtimes.close();
    await gateway.stop();
  }
  opened = [];
});

async function setup(releaseGraceMs = 5000) {
  let update: (sdl: string) => void = () => undefined;
  const source: SupergraphManager = {
    async initialize(options) {
      update = options.update;
      return { supergraphSdl: supergraph('tick') };
    },
  };
  const gateway = createVersionedGateway({
    source,
    buildDataSource: () => ({ process: async () => ({ data: {} }) }),
    log: quiet,
    releaseGraceMs,
    buildBudget: null,
  });
  const runtimes = createSubscriptionRuntimes(quiet, gateway);
  gateway.onVersion(runtimes.update);
  await gateway.load({ apollo: {} });
  opened.push({ gateway, runtimes });
  const handlers = createOperationHandlers({ runtime: runtimes.forSchema, apollo: {} as ApolloServer<GatewayContext>, identity: async () => undefined });
  const subscribe = (schema: GraphQLSchema, query: string) => handlers.subscribe({ schema, document: parse(query), variableValues: {}, contextValue: {} });
  return { gateway, subscribe, switchTo: (sdl: string) => update(sdl), v1: gateway.current()!.schema };
}

function errorsOf(result: ReturnType<Awaited<ReturnType<typeof setup>>['subscribe']>): string[] {
  return Symbol.asyncIterator in result ? [] : (result.errors ?? []).map((e) => e.message);
}

describe('a subscription validated just before a supergraph switch', () => {
  it('is planned on the version it was validated against, not the newer one', async () => {
    const { subscribe, switchTo, v1, gateway } = await setup();
    switchTo(supergraph('tock'));
    expect(gateway.current()!.schema).not.toBe(v1);
    const stream = subscribe(v1, 'subscription { tick }');
    expect(errorsOf(stream)).toEqual([]);
    await (stream as AsyncIterableIterator<ExecutionResult>).return?.();
    // The newer version serves the newer field.
    const newer = subscribe(gateway.current()!.schema, 'subscription { tock }');
    expect(errorsOf(newer)).toEqual([]);
    await (newer as AsyncIterableIterator<ExecutionResult>).return?.();
  });

  it('is told to subscribe again when its subgraph moved in the newer version', async () => {
    const { subscribe, switchTo, v1 } = await setup();
    switchTo(supergraph('tick', 'http://127.0.0.1:2/graphql'));
    expect(errorsOf(subscribe(v1, 'subscription { tick }'))).toEqual(['subgraph "ticks" left the supergraph while subscribing; subscribe again']);
  });

  it('runs on the current version once its own is released, which refuses a field it lacks', async () => {
    const { subscribe, switchTo, v1 } = await setup(10);
    // A fake clock moves through the 10 ms release grace, rather than waiting it out and hoping it has passed.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      switchTo(supergraph('tock'));
      await vi.advanceTimersByTimeAsync(10);
    } finally {
      vi.useRealTimers();
    }
    expect(errorsOf(subscribe(v1, 'subscription { tick }')).join()).toMatch(/tick/);
  });
});
