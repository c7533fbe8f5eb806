import { describe, expect, it } from 'vitest';
import { gatewayConfigFromEnv } from '../../gateway/config.ts';
import { tracingConfigFromEnv } from '../../lib/tracing/tracingConfig.ts';

describe('tracing settings', () => {
  it('are off unless an OTLP endpoint is set, and OTEL_SDK_DISABLED keeps them off', () => {
    expect(tracingConfigFromEnv({}).enabled).toBe(false);
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).enabled).toBe(true);
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }).enabled).toBe(true);
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
  });

  it('reach the gateway through its config module, OTEL_SERVICE_NAME included', () => {
    expect(gatewayConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'edge-1' }).tracing).toEqual({
      enabled: true,
      serviceName: 'edge-1',
    });
  });

  it('refuse an endpoint that is not a URL, naming the variable', () => {
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:4318' })).toThrow(/^OTEL_EXPORTER_OTLP_ENDPOINT must be a URL/);
  });
});
