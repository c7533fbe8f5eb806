import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { contextFromHeaders } from './traceHeaders.ts';
import { isTracingOn, tracer } from './tracer.ts';

/**
 * One server span per request, continuing the trace the caller's
 * `traceparent` names (or starting one), with the rest of the request run
 * inside it. Mount it after the body parser: a stream's callbacks would
 * otherwise run outside the span's context. With tracing off it is not mounted work at all.
 */
export function createTraceMiddleware(name: string): RequestHandler {
  return (req, res, next) => {
    if (!isTracingOn()) return next();
    const span = tracer.startSpan(
      `${req.method} ${name}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
      contextFromHeaders(req.headers),
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(context.active(), span), next);
  };
}
