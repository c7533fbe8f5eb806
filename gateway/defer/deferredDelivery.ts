import { buildOperationContext, executeQueryPlan } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { deferPlannerOf } from './deferPlanner.ts';
import { executeDeferred, type DeferredExecution } from './executeDeferred.ts';

/**
 * Put in a request's context by a transport that can deliver incrementally
 * (multipart HTTP, graphql-ws, SSE): the executor then runs @defer and
 * leaves the deferred payloads here, while Apollo Server's pipeline (parsing,
 * validation with the operation limits, cost, error masking) handles the
 * request and its first payload as it does any other.
 */
export interface DeferredDelivery {
  /** Aborted when the client leaves: deferred parts not started are dropped, fetches in flight cancelled. */
  signal: AbortSignal;
  /** Keeps the version's data sources open until the last payload (VersionedGateway.hold). */
  hold(version: SupergraphVersion): () => void;
  /** Set once the executor ran a deferred operation; absent when nothing was deferred. */
  execution?: DeferredExecution;
}

const KEY = 'deferredDelivery';

export function withDeferredDelivery<C extends object>(context: C, delivery: DeferredDelivery): C & { deferredDelivery: DeferredDelivery } {
  return { ...context, [KEY]: delivery };
}

export function deferredDeliveryOf(context: unknown): DeferredDelivery | null {
  const delivery = (context as { [KEY]?: DeferredDelivery } | undefined)?.[KEY];
  return delivery && typeof delivery.hold === 'function' ? delivery : null;
}

/**
 * Plans with the version's @defer planner and, when the plan defers
 * anything, returns the first payload and leaves the rest on `delivery`.
 * `@defer(if: $var)` plans as a Condition node: the branch is chosen here.
 */
export async function executeWithDefer(
  version: SupergraphVersion,
  requestContext: GatewayGraphQLRequestContext,
  delivery: DeferredDelivery,
): Promise<GatewayExecutionResult> {
  const { request, document, queryHash } = requestContext;
  const operationName = request.operationName ?? undefined;
  let plan: QueryPlan;
  try {
    plan = deferPlannerOf(version).plan(document, operationName, `${queryHash}\n${operationName ?? ''}`);
  } catch (error) {
    return { errors: [error instanceof GraphQLError ? error : new GraphQLError(`could not plan the operation: ${(error as Error).message}`)] };
  }
  const node = chosenBranch(plan.node, request.variables ?? {});
  if (node?.kind !== 'Defer') {
    const operationContext = buildOperationContext({ schema: version.schema, operationDocument: document, operationName });
    return executeQueryPlan({ ...plan, node }, version.dataSources, requestContext, operationContext, version.supergraphSchema, version.apiSchema);
  }
  const release = delivery.hold(version);
  try {
    delivery.execution = await executeDeferred(version, requestContext, { ...plan, node }, { signal: delivery.signal, onEnd: release });
    return delivery.execution.initial;
  } catch (error) {
    release();
    throw error;
  }
}

function chosenBranch(node: QueryPlan['node'], variables: Record<string, unknown>): QueryPlan['node'] {
  // The planner makes a top-level Condition only for @defer(if: $var): false runs the branch with the fragment inline.
  if (node?.kind !== 'Condition') return node;
  return chosenBranch(variables[node.condition] === false ? node.elseClause : node.ifClause, variables);
}

/** The signal of a deferred operation's request, for data sources to end its fetches when the client leaves. */
export function abortSignalOf(context: unknown): AbortSignal | undefined {
  return deferredDeliveryOf(context)?.signal;
}
