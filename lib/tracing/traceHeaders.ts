import { context, propagation, ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { isTracingOn } from './tracer.ts';

/**
 * `headers` plus the active span's W3C `traceparent`/`tracestate`, as a new
 * object; `headers` itself when tracing is off, so the untraced path copies nothing.
 */
export function withTraceHeaders(headers: Record<string, string>): Record<string, string> {
  if (!isTracingOn()) return headers;
  const traced = { ...headers };
  propagation.inject(context.active(), traced);
  return traced;
}

/** The W3C `traceparent`/`tracestate` naming `span`, for a carrier that is not a request (a subscription push). */
export function traceHeadersOf(span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier;
}

type HeaderCarrier = Record<string, string | string[] | undefined> | Record<string, unknown>;

/** The trace context a caller sent (HTTP headers or AMQP message headers); a root context when none. */
export function contextFromHeaders(headers: HeaderCarrier | undefined): Context {
  if (!headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = (carrier as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value.map(String);
      if (typeof value === 'string') return value;
      // AMQP headers may arrive as Buffers; nothing else can hold a trace context.
      return Buffer.isBuffer(value) ? value.toString() : undefined;
    },
  });
}
