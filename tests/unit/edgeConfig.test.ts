import { describe, expect, it } from 'vitest';
import { edgeConfigFromEnv } from '../../gateway/http/edgeConfig.ts';

describe("the gateway edge's settings", () => {
  it('refuses a bad value in one line naming the variable', () => {
    expect(() => edgeConfigFromEnv({ GATEWAY_MAX_COST: 'lots' })).toThrow(/^GATEWAY_MAX_COST must be a non-negative integer, got "lots"/);
    expect(() => edgeConfigFromEnv({ GATEWAY_RATE_LIMIT_REDIS_URL: '127.0.0.1:6379' })).toThrow(
      /^GATEWAY_RATE_LIMIT_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got "127\.0\.0\.1:6379"/,
    );
    expect(() => edgeConfigFromEnv({ GATEWAY_RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow(/^GATEWAY_RATE_LIMIT_WINDOW_SECONDS must be at least 1/);
  });

  it('allows browsers no origin in production unless told, and the listed ones when told', () => {
    expect(edgeConfigFromEnv({}, 'production').corsOrigins).toEqual([]);
    expect(edgeConfigFromEnv({}, 'demo').corsOrigins).toContain('https://sandbox.embed.apollographql.com');
    expect(edgeConfigFromEnv({ GATEWAY_CORS_ORIGINS: 'https://shop.example, https://m.shop.example' }, 'production').corsOrigins).toEqual([
      'https://shop.example',
      'https://m.shop.example',
    ]);
  });
});
