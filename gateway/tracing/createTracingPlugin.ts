import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { context, trace, type Span } from '@opentelemetry/api';
import { isTracingOn, recordError, tracer } from '../../lib/tracing/tracer.ts';

/**
 * Parse and validate spans under the request's span (the trace middleware's),
 * named after Apollo's phases; planning and execution have their own spans in
 * executeOnVersion. With tracing off, Apollo gets no listener at all.
 */
export function createTracingPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart(): Promise<GraphQLRequestListener<never> | void> {
      if (!isTracingOn()) return;
      const parent = context.active();
      trace.getSpan(parent)?.setAttribute('graphql.document.cached', true);
      const phase = (name: string) => {
        const span = tracer.startSpan(name, {}, parent);
        return async (error?: unknown) => end(span, error);
      };
      return {
        async didResolveOperation(request) {
          const span = trace.getSpan(parent);
          if (request.operationName) span?.setAttribute('graphql.operation.name', request.operationName);
          if (request.operation) span?.setAttribute('graphql.operation.type', request.operation.operation);
        },
        async parsingDidStart() {
          // A document from Apollo's cache skips parsing, and this span.
          trace.getSpan(parent)?.setAttribute('graphql.document.cached', false);
          return phase('graphql.parse');
        },
        async validationDidStart() {
          const done = phase('graphql.validate');
          return async (errors?: readonly Error[]) => done(errors?.[0]);
        },
      };
    },
  };
}

function end(span: Span, error: unknown): void {
  if (error) recordError(span, error);
  span.end();
}
