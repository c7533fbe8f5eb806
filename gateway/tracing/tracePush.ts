import { isTracingOn, withSpan } from '../../lib/tracing/tracer.ts';
import { contextFromHeaders } from '../../lib/tracing/traceHeaders.ts';

/**
 * Runs the gateway's part of one subscription push (the rest of the plan for
 * that event) in a `subscription.push` span. The span is a child of the
 * subgraph's push when the event names it in `extensions` (`traceparent`,
 * `tracestate`, as a message's headers would), so one trace follows an
 * approval event from its producer to the subscriber. A child, not a link:
 * the event caused this push, and a subscription lives for hours, so hanging
 * every push under the trace that subscribed would make one endless trace.
 * Untraced events start a trace of their own. Off, it just runs `relay`.
 */
export function relayPush<E extends { extensions?: unknown }, R extends { errors?: readonly unknown[] }>(
  event: E,
  subgraph: string,
  operationName: string | undefined,
  relay: (event: E) => Promise<R>,
): Promise<R> {
  if (!isTracingOn()) return relay(event);
  const carrier = typeof event.extensions === 'object' && event.extensions !== null ? (event.extensions as Record<string, unknown>) : undefined;
  const attributes = { 'gatehouse.subgraph': subgraph, ...(operationName ? { 'graphql.operation.name': operationName } : {}) };
  return withSpan(
    'subscription.push',
    attributes,
    async (span) => {
      const result = await relay(event);
      span.setAttribute('gatehouse.push.errors', result.errors?.length ?? 0);
      return result;
    },
    contextFromHeaders(carrier),
  );
}
