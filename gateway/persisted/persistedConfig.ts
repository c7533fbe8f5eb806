import { envInt, envOptional } from '../../lib/env.ts';
import type { Profile } from '../../lib/profile.ts';

/** Trusted documents, APQ and usage reports at the gateway (README, Trusted documents and persisted queries). */
export interface PersistedConfig {
  /** Client names (`apollographql-client-name`) that may send operations no manifest holds; `*`: every client. */
  freeformClients: string[];
  /** Automatic persisted queries: a hash sent with its query is remembered, so later requests may send the hash alone. */
  apq: boolean;
  /** Where APQ entries live so every replica sees them; unset: this replica's memory only. */
  apqRedisUrl?: string;
  /** How long an APQ entry lives. */
  apqTtlSeconds: number;
  /** How often served operations are reported to the registry for usage-based checks; 0: never. */
  usageReportMs: number;
}

/**
 * `GATEWAY_FREEFORM_CLIENTS` (demo: `*`; production: none), `GATEWAY_APQ`
 * (demo: on; production: off), `GATEWAY_APQ_REDIS_URL` (default
 * `GATEWAY_RATE_LIMIT_REDIS_URL`), `GATEWAY_APQ_TTL_SECONDS`,
 * `GATEWAY_USAGE_REPORT_MS`; a bad value throws one line naming it.
 */
export function persistedConfigFromEnv(env: NodeJS.ProcessEnv, profile: Profile = 'demo'): PersistedConfig {
  const clients = envOptional('GATEWAY_FREEFORM_CLIENTS', env);
  const freeformClients =
    clients === undefined
      ? profile === 'demo'
        ? ['*']
        : []
      : clients
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean);
  const apqRaw = envOptional('GATEWAY_APQ', env);
  if (apqRaw !== undefined && apqRaw !== 'true' && apqRaw !== 'false') {
    throw new Error(`GATEWAY_APQ must be "true" or "false", got "${apqRaw.slice(0, 50)}"; fix it or unset it for the profile's default`);
  }
  const apqRedisUrl = envOptional('GATEWAY_APQ_REDIS_URL', env) ?? envOptional('GATEWAY_RATE_LIMIT_REDIS_URL', env);
  if (apqRedisUrl !== undefined && !/^rediss?:\/\//.test(apqRedisUrl)) {
    throw new Error(
      `GATEWAY_APQ_REDIS_URL must be a redis:// or rediss:// URL, got "${apqRedisUrl.slice(0, 100)}"; fix it or unset it to keep APQ entries in each replica`,
    );
  }
  const apqTtlSeconds = envInt('GATEWAY_APQ_TTL_SECONDS', 24 * 60 * 60, env);
  if (apqTtlSeconds < 1) throw new Error(`GATEWAY_APQ_TTL_SECONDS must be at least 1, got ${apqTtlSeconds}; fix it or unset it to use 86400`);
  return {
    freeformClients,
    apq: apqRaw === undefined ? profile === 'demo' : apqRaw === 'true',
    ...(apqRedisUrl ? { apqRedisUrl } : {}),
    apqTtlSeconds,
    usageReportMs: envInt('GATEWAY_USAGE_REPORT_MS', 10_000, env),
  };
}
