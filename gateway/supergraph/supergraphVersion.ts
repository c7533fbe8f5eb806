import type { GraphQLDataSource } from '@apollo/gateway';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { supergraphId } from '../../composition/supergraphId.ts';

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

/**
 * Everything one supergraph revision serves with. A request, and a
 * subscription for its whole life, runs on exactly one version, so it never
 * mixes one revision's schema with another's planner or subgraph list.
 */
export interface SupergraphVersion {
  /** Short hash of the supergraph SDL, as logs and `/readyz` show it. */
  readonly id: string;
  readonly sdl: string;
  readonly apiSchema: Schema;
  /** The API schema Apollo Server validates against; requests find their version by it. */
  readonly schema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  readonly subgraphs: readonly SubgraphEndpoint[];
  readonly dataSources: Readonly<Record<string, GraphQLDataSource>>;
  /** Plans an operation (cached per version; plans never outlive their planner). */
  plan(document: DocumentNode, operationName: string | undefined, cacheKey: string): QueryPlan;
}

const PLAN_CACHE_SIZE = 1000;

const endpointsOf = (supergraph: Supergraph): SubgraphEndpoint[] => supergraph.subgraphs().values().map((s) => ({ name: s.name, url: s.url }));

/** Lists a supergraph's subgraphs without building the rest. */
export function subgraphEndpoints(sdl: string): SubgraphEndpoint[] {
  return endpointsOf(Supergraph.build(sdl));
}

export function buildSupergraphVersion(
  sdl: string,
  dataSourcesFor: (endpoints: readonly SubgraphEndpoint[]) => Record<string, GraphQLDataSource>,
): SupergraphVersion {
  const supergraph = Supergraph.build(sdl);
  const subgraphs = endpointsOf(supergraph);
  const apiSchema = supergraph.apiSchema();
  const planner = new QueryPlanner(supergraph);
  const plans = new Map<string, QueryPlan>();
  return {
    id: supergraphId(sdl),
    sdl,
    apiSchema,
    schema: apiSchema.toGraphQLJSSchema(),
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    subgraphs,
    dataSources: dataSourcesFor(subgraphs),
    plan(document, operationName, cacheKey) {
      const cached = plans.get(cacheKey);
      if (cached) return cached;
      const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName }));
      if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
      plans.set(cacheKey, plan);
      return plan;
    },
  };
}
