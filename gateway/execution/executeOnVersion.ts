// First: the executor below must load after its hot dependencies lose their re-export getters.
import './flattenReexports.ts';
import { buildOperationContext, executeQueryPlan } from '@apollo/gateway';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { deferredDeliveryOf, executeWithDefer } from '../defer/deferredDelivery.ts';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { withSpan, withSpanSync } from '../../lib/tracing/tracer.ts';

/**
 * Plans and runs one query or mutation on one supergraph version with
 * Apollo's planner and plan executor: the part of `ApolloGateway.executor`
 * we need, minus its habit of reading whatever version is current.
 */
export async function executeOnVersion(version: SupergraphVersion, requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
  const { request, document, queryHash } = requestContext;
  const operationName = request.operationName ?? undefined;
  const operationContext = buildOperationContext({ schema: version.schema, operationDocument: document, operationName });
  const variableDefinitions = operationContext.operation.variableDefinitions ?? [];
  const { errors } = getVariableValues(version.schema, variableDefinitions, request.variables ?? {});
  if (errors) return { errors };
  // A transport that delivers incrementally asked for @defer to be run (gateway/defer/).
  const deferred = deferredDeliveryOf(requestContext.context);
  if (deferred) return executeWithDefer(version, requestContext, deferred);
  let plan;
  try {
    plan = withSpanSync('graphql.plan', {}, () => version.plan(document, operationName, `${queryHash}\n${operationName ?? ''}`));
  } catch (error) {
    return { errors: [error instanceof GraphQLError ? error : new GraphQLError(`could not plan the operation: ${(error as Error).message}`)] };
  }
  const planned = plan;
  return withSpan('graphql.execute', {}, () =>
    executeQueryPlan(planned, version.dataSources, requestContext, operationContext, version.supergraphSchema, version.apiSchema),
  );
}
