import { trace } from '@opentelemetry/api';

/**
 * One-line logs for the operator: `time level service: message`, or with
 * LOG_FORMAT=json one JSON object a line carrying the active trace's id.
 * Errors say what failed and what to do, in one sentence.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(service: string): Logger {
  const quiet = process.env.LOG_LEVEL === 'silent';
  const json = process.env.LOG_FORMAT === 'json';
  const write = (level: string, message: string) => {
    if (quiet && level !== 'error') return;
    const time = new Date().toISOString();
    process.stderr.write(json ? `${jsonLine(time, level, service, message)}\n` : `${time} ${level} ${service}: ${message}\n`);
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}

/** The fields log shippers expect, with `trace_id`/`span_id` when a traced request is being served. */
function jsonLine(time: string, level: string, service: string, message: string): string {
  const span = trace.getActiveSpan()?.spanContext();
  const traced = span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
  return JSON.stringify({ time, level, service, message, ...traced });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
