import { envOptional } from '../env.ts';

/** What a service's configuration says about tracing; the SDK itself reads the rest of the OTEL_* variables. */
export interface TracingConfig {
  /** Off unless an OTLP endpoint is set, so an untraced service loads no SDK at all. */
  enabled: boolean;
  /** OTEL_SERVICE_NAME; unset, each service names itself (`gateway`, `mall-daehan`, …). */
  serviceName?: string;
}

/** Reads the standard OTEL_* switches: an OTLP endpoint turns tracing on, OTEL_SDK_DISABLED=true keeps it off. */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv): TracingConfig {
  const endpoint = envOptional('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', env) ?? envOptional('OTEL_EXPORTER_OTLP_ENDPOINT', env);
  const disabled = envOptional('OTEL_SDK_DISABLED', env)?.toLowerCase() === 'true';
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new Error(
      `OTEL_EXPORTER_OTLP_ENDPOINT must be a URL such as http://127.0.0.1:4318, got "${endpoint.slice(0, 100)}"; fix it or unset it to turn tracing off`,
    );
  }
  return { enabled: endpoint !== undefined && !disabled, serviceName: envOptional('OTEL_SERVICE_NAME', env) };
}
