import { context, INVALID_SPAN_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

/** Every span Gatehouse makes comes from this one tracer (the API's no-op one until startTracing registers the SDK). */
export const tracer = trace.getTracer('gatehouse');

let on = false;

/** Handed to `work` when tracing is off: records nothing. */
const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Whether this process exports spans; code that would only do work for tracing checks it first. */
export function isTracingOn(): boolean {
  return on;
}

/** Called by startTracing once the SDK is registered. */
export function markTracingOn(value: boolean): void {
  on = value;
}

/**
 * Runs `work` inside a new span (a child of the active one), records a
 * thrown error on it and ends it. With tracing off it just runs `work`.
 */
export async function withSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, parent?: Context): Promise<T> {
  if (!on) return work(NO_SPAN);
  const within = parent ?? context.active();
  const span = tracer.startSpan(name, { attributes }, within);
  try {
    return await context.with(trace.setSpan(within, span), () => work(span));
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's message. */
export function recordError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** withSpan for synchronous work (query planning). */
export function withSpanSync<T>(name: string, attributes: Attributes, work: () => T): T {
  if (!on) return work();
  const span = tracer.startSpan(name, { attributes });
  try {
    return work();
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
