import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { IdentityForwarding } from '../auth/createIdentityForwarding.ts';
import type { GatewayContext } from '../auth/gatewayContext.ts';
import type { IncrementalOptions } from '../defer/executeIncrementally.ts';
import { createOperationHandlers, type OperationHandlers } from './createOperationHandlers.ts';
import type { SubscriptionRuntimes } from './createSubscriptionRuntimes.ts';

export interface StreamOperations {
  /** The schema the WebSocket and SSE transports validate against: the current supergraph's. */
  schema(): GraphQLSchema;
  handlers: OperationHandlers;
}

/** What the streaming transports (WebSocket, SSE) validate against and run. */
export function createStreamOperations(options: {
  runtimes: SubscriptionRuntimes;
  apollo: ApolloServer<GatewayContext>;
  identity: IdentityForwarding;
  onStream: () => () => void;
  incremental: IncrementalOptions;
}): StreamOperations {
  const { runtimes } = options;
  return {
    schema: () => {
      const runtime = runtimes.current();
      if (!runtime) throw new Error('no supergraph loaded');
      return runtime.version.schema;
    },
    handlers: createOperationHandlers({
      runtime: (schema) => runtimes.forSchema(schema),
      apollo: options.apollo,
      identity: options.identity,
      onStream: options.onStream,
      incremental: options.incremental,
    }),
  };
}
