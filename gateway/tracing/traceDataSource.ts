import type { GraphQLDataSource } from '@apollo/gateway';
import { trace } from '@opentelemetry/api';
import { isTracingOn, withSpan } from '../../lib/tracing/tracer.ts';
import type { SubgraphOutcome } from '../metrics/gatewayMetrics.ts';

/**
 * Gives each of a client's fetches from this data source a span named after
 * the subgraph (`subgraph daehan`), inside which the fetch runs, so the
 * `traceparent` it sends names that span. Only patched in when tracing is on:
 * off, the data source is untouched.
 */
export function traceDataSource<T extends GraphQLDataSource>(source: T, subgraph: string, deadlineMs?: number): T {
  if (!isTracingOn()) return source;
  const process = source.process.bind(source);
  const attributes = { 'gatehouse.subgraph': subgraph, ...(deadlineMs === undefined ? {} : { 'gatehouse.subgraph.deadline_ms': deadlineMs }) };
  source.process = (options) => {
    // Health checks and schema loads are not a client's fetches.
    if (!('incomingRequestContext' in options)) return process(options);
    return withSpan(`subgraph ${subgraph}`, attributes, async (span) => {
      span.setAttribute(
        'gatehouse.subgraph.entities',
        Array.isArray(options.request.variables?.representations) ? options.request.variables.representations.length : 0,
      );
      const response = await process(options);
      span.setAttribute('gatehouse.subgraph.errors', response.errors?.length ?? 0);
      return response;
    });
  };
  return source;
}

/** Records how a subgraph fetch ended (ok, errors, timeout, unavailable) on its span. */
export function noteSubgraphOutcome(outcome: SubgraphOutcome): void {
  trace.getActiveSpan()?.setAttribute('gatehouse.subgraph.outcome', outcome);
}
