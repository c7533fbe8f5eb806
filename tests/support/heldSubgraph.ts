import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import type { GraphQLResolverMap } from '../../lib/subgraph/resolverMap.ts';

const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { stock(sku: ID!): Stock whoami: String }
type Mutation { reserve(sku: ID!): Int! }
type Stock @key(fields: "sku") { sku: ID! count: Int! tags: [String!]! }`;

export const HELD_SUBGRAPH_SDL = SDL;

/** How the subgraph answers the requests it gets. */
export type AnswerMode =
  /** At once. */
  | 'answer'
  /** Only when `release()` is called (or the test ends). */
  | 'hold'
  /** Headers at once, then one byte every 100 ms, for ever. */
  | 'trickle'
  /** Drops the connection without answering. */
  | 'drop';

export interface HeldSubgraph {
  url: string;
  /** Every request received: its headers and parsed body. */
  requests: Array<{ headers: IncomingHttpHeaders; body: { query: string; variables?: Record<string, unknown> } }>;
  /** How many requests wait for an answer right now. */
  waiting(): number;
  mode: AnswerMode;
  /** Answers every held request. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A subgraph on loopback that counts its requests and answers as the test
 * says: at once, held until released, trickled, or not at all. Each
 * `reserve` mutation counts up, so a mutation run twice shows.
 */
export async function startHeldSubgraph(): Promise<HeldSubgraph> {
  let reserved = 0;
  const resolvers = {
    Query: {
      stock: (_: unknown, args: { sku: string }) => ({ sku: args.sku, count: 7, tags: ['a', 'b'] }),
      whoami: (_: unknown, _args: unknown, context: { authorization?: string }) => context.authorization ?? null,
    },
    Mutation: { reserve: () => ++reserved },
    Stock: { __resolveReference: (ref: { sku: string }) => ({ sku: ref.sku, count: 7, tags: ['a', 'b'] }) },
  };
  const schema = buildSubgraphSchema({ typeDefs: parse(SDL), resolvers: resolvers as GraphQLResolverMap<unknown> });
  const held: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  const subgraph: HeldSubgraph = {
    url: '',
    requests: [],
    waiting: () => held.length,
    mode: 'answer',
    release: () => held.splice(0).forEach((answer) => answer()),
    close: async () => {
      subgraph.release();
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const answer = async (res: ServerResponse, body: { query: string; variables?: Record<string, unknown> }, authorization: string | undefined) => {
    const result = await execute({ schema, document: parse(body.query), variableValues: body.variables, contextValue: { authorization } });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; variables?: Record<string, unknown> };
      subgraph.requests.push({ headers: req.headers, body });
      const respond = () => void answer(res, body, req.headers.authorization).catch(() => res.destroy());
      switch (subgraph.mode) {
        case 'answer':
          return respond();
        case 'hold':
          return void held.push(respond);
        case 'drop':
          return void held.push(() => res.destroy());
        case 'trickle': {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"data":{"stock":{"sku":"');
          const timer = setInterval(() => res.write('x'), 100);
          timers.add(timer);
          res.on('close', () => {
            clearInterval(timer);
            timers.delete(timer);
          });
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  subgraph.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return subgraph;
}
