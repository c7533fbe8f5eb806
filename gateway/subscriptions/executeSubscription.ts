import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, print, type DocumentNode, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Client } from 'graphql-ws';
import { relayPush } from '../tracing/tracePush.ts';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { planSubscription, type SubscriptionPlan } from './planSubscription.ts';

/** What one subscription needs from the supergraph version it started on. */
export interface SubscriptionRuntime {
  version: SupergraphVersion;
  /** Keeps the version's data sources open for the subscription's life. */
  hold(): () => void;
  upstream(subgraph: string): Client;
}

export interface SubscriptionRequest {
  document: DocumentNode;
  operationName?: string;
  variables: Record<string, unknown>;
  /** The caller, as the edge verified it; data sources turn it into per-subgraph assertions. */
  userId: string | null;
  /** The `Authorization` the subgraph owning the subscription field gets, if any. */
  upstreamAuthorization(subgraph: string): Promise<string | undefined>;
}

/** The fetch that stands in for the primary one: it hands over the event. */
const EVENT_SOURCE = '__subscription_event__';

/**
 * Streams a federated subscription: the primary subscription from the
 * subgraph that owns the field (over the shared upstream socket), and for
 * every event the rest of the plan, executed by Apollo's own plan executor
 * with the event standing in for the primary fetch's response.
 */
export function executeSubscription(runtime: SubscriptionRuntime, request: SubscriptionRequest): AsyncIterableIterator<ExecutionResult> {
  // Planned before streaming, so a bad operation fails at once, not on the first event.
  return streamEvents(runtime, request, planSubscription(runtime.version, request.document, request.operationName));
}

/**
 * A hand-written iterator, not an async generator: a generator waiting for
 * the next event cannot run its `finally` until that event comes, so a
 * client that leaves would keep its upstream subscription and its supergraph
 * version until the user's next change. Here `return()` ends both at once.
 */
function streamEvents(runtime: SubscriptionRuntime, request: SubscriptionRequest, plan: SubscriptionPlan): AsyncIterableIterator<ExecutionResult> {
  const { primary } = plan;
  const { version } = runtime;
  // The upstream first: it may refuse, and nothing is held yet to release.
  const upstream = runtime.upstream(primary.serviceName);
  const release = runtime.hold();
  const variables = Object.fromEntries((primary.variableUsages ?? []).filter((n) => n in request.variables).map((n) => [n, request.variables[n]]));
  // The assertion is signed before subscribing; until then next() and return() wait for it.
  const subscribed = request
    .upstreamAuthorization(primary.serviceName)
    .then((authorization) =>
      upstream.iterate({ query: primary.operation, operationName: primary.operationName, variables, extensions: authorization ? { authorization } : {} }),
    );
  const eventPlan = planForEvents(plan);
  const operationContext = buildOperationContext({
    schema: version.schema,
    operationDocument: request.document,
    operationName: request.operationName,
  });
  // Built once per subscription; only the metrics (which the executor writes to) are per event.
  const incoming = { query: print(request.document), operationName: request.operationName, variables: request.variables };
  // Same shape as an HTTP request's context, so data sources forward identity alike.
  const context = { userId: request.userId };
  const fromSubgraph = (errors: readonly GraphQLFormattedError[]) =>
    errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: { ...e.extensions, serviceName: primary.serviceName } }));
  const resolve = async (event: FormattedExecutionResult<Record<string, unknown>, unknown>): Promise<ExecutionResult> => {
    if (!event.data) return { errors: fromSubgraph(event.errors ?? []) };
    const serviceMap: ServiceMap = { ...version.dataSources, [EVENT_SOURCE]: replay(event) };
    const requestContext = { request: incoming, context, metrics: {}, logger: console } as unknown as GatewayGraphQLRequestContext; // executeQueryPlan reads only these fields
    return executeQueryPlan(eventPlan, serviceMap, requestContext, operationContext, version.supergraphSchema, version.apiSchema);
  };

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    release();
    await (await subscribed).return?.();
  };
  const done = { done: true, value: undefined } as const;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (closed) return done;
      try {
        const step = await (await subscribed).next();
        if (step.done || closed) {
          await close();
          return done;
        }
        return { done: false, value: await relayPush(step.value, primary.serviceName, request.operationName, resolve) };
      } catch (error) {
        await close();
        // graphql-ws rejects with the subgraph's errors when it refuses the subscription.
        if (Array.isArray(error)) return { done: false, value: { errors: fromSubgraph(error as GraphQLFormattedError[]) } };
        throw error;
      }
    },
    async return() {
      await close();
      return done;
    },
    async throw(error?: unknown) {
      await close();
      throw error;
    },
  };
}

/** `Sequence [event, rest]`: the plan Apollo can execute once per event. */
function planForEvents(plan: SubscriptionPlan): QueryPlan {
  const event = { ...plan.primary, serviceName: EVENT_SOURCE };
  return { kind: 'QueryPlan', node: plan.rest ? { kind: 'Sequence', nodes: [event, plan.rest] } : event };
}

function replay(event: FormattedExecutionResult<Record<string, unknown>, unknown>): GraphQLDataSource {
  return { process: async () => ({ data: event.data as Record<string, unknown>, errors: event.errors }) };
}
