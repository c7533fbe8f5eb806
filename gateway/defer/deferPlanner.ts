import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import type { DocumentNode } from 'graphql';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';

export interface DeferPlanner {
  /** Plans an operation with its @defer fragments as Defer nodes (cached per version). */
  plan(document: DocumentNode, operationName: string | undefined, cacheKey: string): QueryPlan;
}

const PLAN_CACHE_SIZE = 200;
const planners = new WeakMap<SupergraphVersion, DeferPlanner>();

/**
 * A second planner per supergraph version, built on its first deferred
 * request: the version's own planner ignores @defer (so clients that cannot
 * take incremental delivery get one ordinary response), this one plans it.
 * Kept here, keyed by the version, so the version's build stays as it is.
 */
export function deferPlannerOf(version: SupergraphVersion): DeferPlanner {
  let planner = planners.get(version);
  if (planner) return planner;
  const supergraph = Supergraph.build(version.sdl, { validateSupergraph: false });
  const apiSchema = supergraph.apiSchema();
  const queryPlanner = new QueryPlanner(supergraph, { incrementalDelivery: { enableDefer: true } });
  const plans = new Map<string, QueryPlan>();
  planner = {
    plan(document, operationName, cacheKey) {
      const cached = plans.get(cacheKey);
      if (cached) return cached;
      const plan = queryPlanner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName }));
      if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
      plans.set(cacheKey, plan);
      return plan;
    },
  };
  planners.set(version, planner);
  return planner;
}
