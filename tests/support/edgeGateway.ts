import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { createIdentityForwarding } from '../../gateway/auth/createIdentityForwarding.ts';
import { createGateway, type RunningGateway } from '../../gateway/createGateway.ts';
import { edgeConfigFromEnv, type EdgeConfig } from '../../gateway/http/edgeConfig.ts';
import { createAssertionSigner, generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import type { Logger } from '../../lib/log.ts';
import { silentLogger } from './logs.ts';

/** A subgraph whose fields carry the demand-control directives, as Federation 2.9 declares them. */
export const COST_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
type Query {
  items(first: Int = 5): [Item!]! @listSize(slicingArguments: ["first"])
  page(first: Int!): Page @listSize(slicingArguments: ["first"], sizedFields: ["nodes"])
  tree: Node
  expensive: String @cost(weight: 100)
}
type Page { nodes: [Item!]! }
type Item { id: ID! name: String friends: [Item!]! }
type Node { name: String child: Node }
`;

export interface CostSubgraph {
  url: string;
  /** Operations it has been asked, health checks aside. */
  calls(): number;
  close(): Promise<void>;
}

const item = (i: number) => ({ id: `item-${i}`, name: `상품 ${i} ${'x'.repeat(40)}`, friends: [] });

export async function startCostSubgraph(): Promise<CostSubgraph> {
  let calls = 0;
  const schema = buildSubgraphSchema({
    typeDefs: parse(COST_SDL),
    resolvers: {
      Query: {
        items: (_: unknown, { first }: { first: number }) => Array.from({ length: first }, (_, i) => item(i)),
        page: (_: unknown, { first }: { first: number }) => ({ nodes: Array.from({ length: first }, (_, i) => item(i)) }),
        tree: () => ({ name: 'root', child: { name: 'a', child: { name: 'b', child: { name: 'c', child: null } } } }),
        expensive: () => 'dear',
      },
    },
  });
  const server = new ApolloServer({
    schema,
    plugins: [{ requestDidStart: async ({ request }) => void (request.query?.includes('__ApolloServiceHealthCheck__') || (calls += 1)) }],
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, calls: () => calls, close: () => server.stop() };
}

/** The silent logger of tests/support/logs.ts, under the name the edge tests know. */
export const quietLog: Logger = silentLogger;

/** An in-process gateway over the cost subgraph, on a real port, with the edge settings given. */
export async function startEdgeGateway(
  subgraphUrl: string,
  edge: Partial<EdgeConfig> = {},
  log: Logger = quietLog,
): Promise<RunningGateway & { graphqlUrl: string }> {
  const composed = composeSupergraph([{ name: 'shop', url: subgraphUrl, sdl: COST_SDL }]);
  if (!composed.ok) throw new Error(composed.errors.join('; '));
  const keys = await generateAssertionKeys();
  const signer = await createAssertionSigner(keys.privateKeyPem);
  const gateway = await createGateway({
    supergraph: { initialize: async () => ({ supergraphSdl: composed.supergraphSdl }) },
    log,
    port: 0,
    host: '127.0.0.1',
    subgraphDeadlineMs: 3000,
    jwtSecret: 'edge-test-secret',
    identity: { forward: createIdentityForwarding(signer, new Set()), jwks: keys.jwks },
    edge: { ...edgeConfigFromEnv({}), ...edge },
  });
  return { ...gateway, graphqlUrl: `${gateway.url}/graphql` };
}
