import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMaxConnections, httpLimitsFromEnv } from '../../lib/http/httpLimits.ts';

describe('HTTP limits from the environment', () => {
  it('defaults to 10 s for headers, 30 s for a request, 5 s keep-alive', () => {
    expect(httpLimitsFromEnv({})).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: defaultMaxConnections(),
    });
  });

  it('reads each variable', () => {
    const env = { HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '4000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000', HTTP_MAX_CONNECTIONS: '12000' };
    expect(httpLimitsFromEnv(env)).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 1000, maxConnections: 12_000 });
  });

  it('explains a bad value in one sentence', () => {
    expect(() => httpLimitsFromEnv({ HTTP_MAX_CONNECTIONS: 'lots' })).toThrow('HTTP_MAX_CONNECTIONS must be a non-negative integer, got "lots"');
    expect(() => httpLimitsFromEnv({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(
      'HTTP_REQUEST_TIMEOUT_MS must be at least 1, got 0; fix it or unset it to use 30000',
    );
    expect(() => httpLimitsFromEnv({ HTTP_HEADERS_TIMEOUT_MS: '60000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS \(60000\) exceeds HTTP_REQUEST_TIMEOUT_MS \(30000\)/,
    );
  });

  it('caps connections at 80% of the open-file limit, leaving files for upstream sockets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-limits-'));
    try {
      const file = join(dir, 'limits');
      writeFileSync(
        file,
        'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            20000                20000                files     \n',
      );
      expect(defaultMaxConnections(file)).toBe(16_000);
      writeFileSync(file, 'Max open files            unlimited            unlimited            files     \n');
      expect(defaultMaxConnections(file)).toBe(16_000);
      expect(defaultMaxConnections(join(dir, 'missing'))).toBe(16_000);
      writeFileSync(file, 'Max open files            1024                 4096                 files     \n');
      expect(defaultMaxConnections(file)).toBe(819);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
