import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GraphQLResolverMap } from '../../lib/subgraph/resolverMap.ts';
import { serveSubgraph, type RunningSubgraph } from '../../lib/subgraph/serveSubgraph.ts';

const FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

/** Streams numbered ticks, each naming a business system; echoes who subscribed. */
export const TICKER_SDL = `${FED}
type Query { tickerHealth: Boolean }
type Tick { n: Int! subscriber: String system: BusinessSystem! }
type BusinessSystem @key(fields: "id") { id: ID! }
type Subscription { ticks(count: Int!, intervalMs: Int = 20): Tick! }`;

/** Another team's subgraph contributing a field to BusinessSystem. */
export const OWNERS_SDL = `${FED}
type BusinessSystem @key(fields: "id") { id: ID! owner: String! }
type Query { ownersHealth: Boolean }`;

export interface TestSubgraph extends RunningSubgraph {
  /** WebSockets currently open to this subgraph. */
  sockets(): number;
}

export async function startTicker(): Promise<TestSubgraph> {
  const resolvers = {
    Query: { tickerHealth: () => true },
    Subscription: {
      ticks: {
        subscribe: async function* (_: unknown, args: { count: number; intervalMs: number }, context: { subscriber?: string }) {
          for (let n = 1; n <= args.count; n++) {
            await new Promise((r) => setTimeout(r, args.intervalMs));
            yield { ticks: { n, subscriber: context.subscriber ?? null, system: { id: n % 2 ? 'hr' : 'finance' } } };
          }
        },
      },
    },
  };
  const schema = buildSubgraphSchema({ typeDefs: parse(TICKER_SDL), resolvers: resolvers as GraphQLResolverMap<unknown> });
  let wsServer: WebSocketServer | undefined;
  const subgraph = await serveSubgraph({
    name: 'ticker',
    schema,
    context: async () => ({}),
    extend: (_app, httpServer) => {
      wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
      const server = useServer(
        {
          schema,
          // The gateway multiplexes users over one socket: identity rides on each subscribe message.
          context: (_ctx, _id, payload) => ({ subscriber: (payload.extensions?.authorization as string | undefined) ?? undefined }),
        },
        wsServer,
      );
      return async () => {
        await server.dispose();
        wsServer?.close();
      };
    },
  });
  return { ...subgraph, sockets: () => wsServer?.clients.size ?? 0 };
}

export async function startOwners(): Promise<TestSubgraph> {
  const owners: Record<string, string> = { hr: 'People Team', finance: 'Finance Team' };
  const resolvers = {
    Query: { ownersHealth: () => true },
    BusinessSystem: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, owner: owners[ref.id] ?? 'unknown' }) },
  };
  const schema = buildSubgraphSchema({ typeDefs: parse(OWNERS_SDL), resolvers: resolvers });
  const subgraph = await serveSubgraph({ name: 'owners', schema, context: async () => ({}) });
  return { ...subgraph, sockets: () => 0 };
}

/** Writes a supergraph.yaml (and the SDL files it names) for ticker and owners into `dir`; returns its path. */
export function writeTickerOwnersConfig(dir: string, ticker: TestSubgraph, owners: TestSubgraph): string {
  writeFileSync(join(dir, 'ticker.graphql'), TICKER_SDL);
  writeFileSync(join(dir, 'owners.graphql'), OWNERS_SDL);
  const config = join(dir, 'supergraph.yaml');
  writeFileSync(
    config,
    `subgraphs:\n  ticker:\n    routing_url: ${ticker.url}\n    schema:\n      file: ticker.graphql\n  owners:\n    routing_url: ${owners.url}\n    schema:\n      file: owners.graphql\n`,
  );
  return config;
}
