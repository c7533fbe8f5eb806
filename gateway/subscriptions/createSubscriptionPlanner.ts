import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { GraphQLError, print, type DocumentNode, type GraphQLSchema } from 'graphql';

export interface SubscriptionPlan {
  /** The whole plan, for executeQueryPlan. */
  queryPlan: QueryPlan;
  /** The subscription the owning subgraph streams. */
  primary: FetchNode;
  /** What other subgraphs add to every event. */
  rest?: PlanNode;
}

export interface SubscriptionPlanner {
  readonly apiSchema: Schema;
  readonly graphqlApiSchema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  /** Every subgraph of this supergraph and its routing URL. */
  readonly subgraphs: ReadonlyArray<{ name: string; url: string }>;
  plan(document: DocumentNode, operationName: string | undefined): SubscriptionPlan;
}

const PLAN_CACHE_SIZE = 500;

/**
 * Plans subscriptions over one supergraph version with Apollo's query planner,
 * which yields a Subscription node (`primary` fetch plus `rest`) that the
 * gateway's own executor refuses to run.
 */
export function createSubscriptionPlanner(supergraphSdl: string): SubscriptionPlanner {
  const supergraph = Supergraph.build(supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  const planner = new QueryPlanner(supergraph);
  const cache = new Map<string, SubscriptionPlan>();
  return {
    apiSchema,
    graphqlApiSchema: apiSchema.toGraphQLJSSchema(),
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    subgraphs: supergraph.subgraphs().values().map((s) => ({ name: s.name, url: s.url })),
    plan(document, operationName) {
      const key = `${operationName ?? ''}\n${print(document)}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const operation = operationFromDocument(apiSchema, document, { operationName });
      const queryPlan = planner.buildQueryPlan(operation);
      const node = queryPlan.node;
      if (node?.kind !== 'Subscription') {
        throw new GraphQLError('only subscription operations can be streamed here', { extensions: { code: 'BAD_REQUEST' } });
      }
      const plan = { queryPlan, primary: node.primary, rest: node.rest };
      if (cache.size >= PLAN_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(key, plan);
      return plan;
    },
  };
}
