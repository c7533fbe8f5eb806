import type { ApolloServer } from '@apollo/server';
import type { FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../auth/gatewayContext.ts';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { withDeferredDelivery, type DeferredDelivery } from './deferredDelivery.ts';
import type { SubsequentPayload } from './executeDeferred.ts';

export interface IncrementalOptions {
  apollo: ApolloServer<GatewayContext>;
  hold(version: SupergraphVersion): () => void;
  /** The gateway's error masking, applied to deferred payloads as Apollo Server applies it to the first. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
}

export interface GraphQLRequestBody {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
  extensions?: Record<string, unknown>;
}

export interface FormattedSubsequentPayload {
  incremental: { data: Record<string, unknown> | null; path: (string | number)[]; label?: string; errors?: GraphQLFormattedError[] }[];
  hasNext: boolean;
}

export type IncrementalOutcome =
  /** Refused before execution (limits, validation) or nothing deferred after all: one ordinary answer. */
  | { kind: 'single'; status: number; headers: Map<string, string>; result: FormattedExecutionResult }
  | {
      kind: 'incremental';
      headers: Map<string, string>;
      first: FormattedExecutionResult & { hasNext: boolean };
      rest: AsyncIterableIterator<FormattedSubsequentPayload>;
    };

/**
 * Runs an operation through Apollo Server's own pipeline (limits,
 * validation, cost, masking) with a DeferredDelivery in its context, so the
 * executor runs its @defer fragments; the deferred payloads come back
 * formatted like the first. `signal`: the client left; what is not done is dropped.
 */
export async function executeIncrementally(
  options: IncrementalOptions,
  request: GraphQLRequestBody,
  userId: string | null,
  signal: AbortSignal,
): Promise<IncrementalOutcome> {
  const delivery: DeferredDelivery = { signal, hold: options.hold };
  const response = await options.apollo.executeOperation(request, { contextValue: withDeferredDelivery({ userId }, delivery) });
  if (response.body.kind !== 'single') throw new Error('Apollo Server answered incrementally on its own; the gateway cannot stream that');
  const result = response.body.singleResult;
  const execution = delivery.execution;
  if (!execution) return { kind: 'single', status: response.http.status ?? 200, headers: response.http.headers, result };
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => options.formatError(e.toJSON(), e));
  const { subsequent } = execution;
  const rest: AsyncIterableIterator<FormattedSubsequentPayload> = {
    async next() {
      const step = await subsequent.next();
      if (step.done) return step;
      return { done: false, value: formatPayload(step.value, format) };
    },
    return: async () => {
      await subsequent.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return { kind: 'incremental', headers: response.http.headers, first: { ...result, hasNext: execution.hasNext }, rest };
}

function formatPayload(payload: SubsequentPayload, format: (errors: readonly GraphQLError[]) => GraphQLFormattedError[]): FormattedSubsequentPayload {
  return {
    incremental: payload.incremental.map(({ errors, ...item }) => (errors ? { ...item, errors: format(errors) } : item)),
    hasNext: payload.hasNext,
  };
}
