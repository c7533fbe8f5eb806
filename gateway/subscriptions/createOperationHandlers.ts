import { HeaderMap, type ApolloServer } from '@apollo/server';
import { GraphQLError, print, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { IdentityForwarding } from '../auth/createIdentityForwarding.ts';
import type { GatewayContext } from '../auth/gatewayContext.ts';
import { hasActiveDefer } from '../defer/activeDefers.ts';
import type { IncrementalOptions } from '../defer/executeIncrementally.ts';
import { streamIncrementally } from '../defer/streamIncrementally.ts';
import { CLIENT_NAME_HEADER } from '../persisted/createPersistedOperations.ts';
import { executeSubscription, type SubscriptionRuntime } from './executeSubscription.ts';

/** Per connection or request: who is calling, as the edge verified it, and the client name it gave. */
export type StreamContext = GatewayContext & { clientName?: string };

export interface OperationHandlers {
  subscribe(args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> | ExecutionResult;
  /** A deferred operation's payloads are a stream (gateway/defer/); anything else one result. */
  execute(args: ExecutionArgs): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>>;
}

/**
 * What the WebSocket and SSE transports run: subscriptions through the
 * federated subscription executor, queries and mutations through Apollo
 * Server like any HTTP request. Transport-free, so both adapters stay thin.
 */
export function createOperationHandlers(options: {
  /** The runtime for the schema the transport validated the operation against. */
  runtime: (schema: GraphQLSchema) => SubscriptionRuntime | null;
  apollo: ApolloServer<GatewayContext>;
  /** What the subgraph that owns a subscription field is told of the caller. */
  identity: IdentityForwarding;
  /** A stream began; the returned function is called once it ends. */
  onStream?: () => () => void;
  /** Runs @defer incrementally: one message per payload. Without it, @defer runs inline. */
  incremental?: IncrementalOptions;
}): OperationHandlers {
  return {
    subscribe(args) {
      const runtime = options.runtime(args.schema);
      if (!runtime) return { errors: [new GraphQLError('the gateway has no supergraph yet; retry shortly', { extensions: { code: 'NOT_READY' } })] };
      const userId = (args.contextValue as StreamContext | undefined)?.userId ?? null;
      try {
        const result = executeSubscription(runtime, {
          document: args.document,
          operationName: args.operationName ?? undefined,
          variables: args.variableValues ?? {},
          userId,
          upstreamAuthorization: (subgraph) => options.identity(subgraph, userId),
        });
        return options.onStream ? whileOpen(result, options.onStream()) : result;
      } catch (error) {
        return { errors: [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)] };
      }
    },
    async execute(args) {
      const context = args.contextValue as StreamContext | undefined;
      const userId = context?.userId ?? null;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      if (options.incremental && hasActiveDefer(args.document, variables)) {
        return streamIncrementally(options.incremental, { query: print(args.document), variables, operationName: args.operationName ?? undefined }, userId);
      }
      // The client name travels as over HTTP, so usage reports name the client that sent it.
      const headers = new HeaderMap(context?.clientName ? [[CLIENT_NAME_HEADER, context.clientName]] : []);
      const response = await options.apollo.executeOperation(
        {
          query: print(args.document),
          operationName: args.operationName ?? undefined,
          variables: args.variableValues ?? {},
          http: { method: 'POST', headers, search: '', body: undefined },
        },
        { contextValue: { userId } },
      );
      if (response.body.kind !== 'single') {
        return { errors: [new GraphQLError('incremental delivery is not supported over this transport')] };
      }
      const { data, errors, extensions } = response.body.singleResult;
      return {
        data: data,
        errors: errors?.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions })),
        extensions,
      };
    },
  };
}

/** The same stream, calling `ended` once when it finishes, fails or the client leaves. */
function whileOpen<T>(stream: AsyncIterableIterator<T>, ended: () => void): AsyncIterableIterator<T> {
  const finish = <R>(result: R) => {
    ended();
    return result;
  };
  return {
    next: async () => {
      try {
        const result = await stream.next();
        return result.done ? finish(result) : result;
      } catch (error) {
        throw finish(error);
      }
    },
    return: async (value?: unknown) => finish(stream.return ? await stream.return(value) : { done: true as const, value: undefined }),
    throw: async (error?: unknown) => {
      ended();
      if (stream.throw) return stream.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
