import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { Logger } from '../log.ts';
import { markTracingOn } from './tracer.ts';
import type { TracingConfig } from './tracingConfig.ts';

export interface Tracing {
  /** Sends the spans still buffered; call it last on shutdown. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: async () => undefined };

/**
 * Starts the OpenTelemetry SDK for Node when the configuration turns tracing
 * on; the SDK reads the standard OTEL_* variables (endpoint, protocol,
 * sampler, propagators, resource attributes). Off, nothing is loaded and the
 * API stays the no-op it is by default. Traces only: metrics stay on
 * Prometheus (/metrics), logs on stderr.
 */
export async function startTracing(config: TracingConfig, service: string, log: Logger): Promise<Tracing> {
  if (!config.enabled) return OFF;
  // Loaded only when on: the SDK and its exporters cost start-up time and memory.
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  // The SDK's own complaints (an unreachable collector) reach the operator as warnings, once per kind.
  const warned = new Set<string>();
  diag.setLogger(
    {
      error: (message) => warnOnce(message),
      warn: (message) => warnOnce(message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  function warnOnce(message: string): void {
    const key = message.slice(0, 60);
    if (warned.has(key)) return;
    warned.add(key);
    log.warn(`tracing: ${message}; spans may be lost until the collector answers`);
  }
  const serviceName = config.serviceName ?? service;
  const sdk = new NodeSDK({ serviceName, metricReaders: [], logRecordProcessors: [] });
  sdk.start();
  markTracingOn(true);
  log.info(`tracing on: spans of ${serviceName} go to ${process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
  return {
    shutdown: async () => {
      markTracingOn(false);
      await sdk.shutdown();
    },
  };
}
