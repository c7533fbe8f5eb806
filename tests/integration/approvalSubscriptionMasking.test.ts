import { createServer, type Server } from 'node:http';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { listen } from '../../lib/http/listen.ts';
import type { ApprovalContext } from '../../subgraphs/approval/context.ts';
import { graphql } from '../../subgraphs/approval/graphqlRuntime.ts';
import { serveSubscriptions } from '../../subgraphs/approval/websocket.ts';

// A stream whose second event meets a database that is gone, as the approval store would.
const schema = graphql.buildSchema('type Query { ok: Boolean } type Subscription { count: Int }');
const resolvers = {
  count: {
    subscribe: async function* () {
      yield { count: 1 };
      yield { count: -1 };
    },
    resolve: (event: { count: number }) => {
      if (event.count < 0) throw new Error('connect ECONNREFUSED 127.0.0.1:4027');
      return event.count;
    },
  },
};
Object.assign(schema.getSubscriptionType()!.getFields().count!, resolvers.count);

describe('approval subscriptions over graphql-ws', () => {
  const logged: string[] = [];
  const log = { info: () => undefined, warn: () => undefined, error: (line: string) => void logged.push(line) };
  let server: Server;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    server = createServer();
    close = serveSubscriptions({
      httpServer: server,
      schema,
      path: '/graphql',
      contextFor: async () => ({ userId: 'u-1' }) as ApprovalContext,
      log,
    });
    url = `${(await listen(server)).replace('http', 'ws')}/graphql`;
  });
  afterAll(async () => {
    await close?.();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("masks a failing event's error like HTTP does and logs the original under its id", async () => {
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    const results: unknown[] = [];
    for await (const result of client.iterate({ query: 'subscription { count }' })) results.push(result);
    await client.dispose();
    expect(JSON.stringify(results)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    const [, failed] = results as Array<{ errors?: Array<{ message: string }> }>;
    const id = /^internal error in subgraph approval; see its log \(id ([0-9a-f]{8})\)$/.exec(failed?.errors?.[0]?.message ?? '')?.[1];
    expect(id, JSON.stringify(results)).toBeDefined();
    expect(logged.find((line) => line.includes(`(id ${id})`))).toMatch(/ECONNREFUSED 127\.0\.0\.1:4027/);
  });
});
