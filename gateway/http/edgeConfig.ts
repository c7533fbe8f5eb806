import { envInt, envString } from '../../lib/env.ts';
import type { RateLimitSettings } from '../limits/createRateLimits.ts';
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from '../limits/operationLimits.ts';

/** The public edge: operation limits, rate limits and the origins browsers may call from. */
export interface EdgeConfig {
  limits: OperationLimits;
  rateLimits: RateLimitSettings;
  corsOrigins: string[];
  /** Open WebSocket connections and SSE streams one signed-in user may hold at a replica; 0: no limit; unset: the default. */
  maxConnectionsPerUser?: number;
}

export const DEFAULT_MAX_CONNECTIONS_PER_USER = 20;

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { windowSeconds: 1, perClient: 2000, perUser: 50 };

/** Apollo's Sandbox, which the demo's landing page embeds; production allows no origin unless told. */
const DEMO_CORS_ORIGINS = ['https://sandbox.embed.apollographql.com', 'https://studio.apollographql.com'];

/** Reads the edge's variables (README, Configuration); a bad value throws one line naming it. */
export function edgeConfigFromEnv(env: NodeJS.ProcessEnv, profile: 'demo' | 'production' = 'demo'): EdgeConfig {
  const d = DEFAULT_OPERATION_LIMITS;
  const windowSeconds = envInt('GATEWAY_RATE_LIMIT_WINDOW_SECONDS', DEFAULT_RATE_LIMITS.windowSeconds, env);
  if (windowSeconds < 1)
    throw new Error(
      `GATEWAY_RATE_LIMIT_WINDOW_SECONDS must be at least 1, got ${windowSeconds}; fix it or unset it to use ${DEFAULT_RATE_LIMITS.windowSeconds}`,
    );
  const redisUrl = envString('GATEWAY_RATE_LIMIT_REDIS_URL', '', env);
  if (redisUrl !== '' && !/^rediss?:\/\//.test(redisUrl)) {
    throw new Error(
      `GATEWAY_RATE_LIMIT_REDIS_URL must be a redis:// or rediss:// URL, got "${redisUrl.slice(0, 100)}"; fix it or unset it to limit each replica alone`,
    );
  }
  const origins = env.GATEWAY_CORS_ORIGINS;
  return {
    limits: {
      maxCost: envInt('GATEWAY_MAX_COST', d.maxCost, env),
      maxDepth: envInt('GATEWAY_MAX_DEPTH', d.maxDepth, env),
      maxTokens: envInt('GATEWAY_MAX_TOKENS', d.maxTokens, env),
      maxAliases: envInt('GATEWAY_MAX_ALIASES', d.maxAliases, env),
      maxDirectives: envInt('GATEWAY_MAX_DIRECTIVES', d.maxDirectives, env),
      defaultListSize: envInt('GATEWAY_DEFAULT_LIST_SIZE', d.defaultListSize, env),
    },
    rateLimits: {
      windowSeconds,
      perClient: envInt('GATEWAY_RATE_LIMIT_PER_CLIENT', DEFAULT_RATE_LIMITS.perClient, env),
      perUser: envInt('GATEWAY_RATE_LIMIT_PER_USER', DEFAULT_RATE_LIMITS.perUser, env),
      ...(redisUrl ? { redisUrl } : {}),
    },
    maxConnectionsPerUser: envInt('GATEWAY_MAX_CONNECTIONS_PER_USER', DEFAULT_MAX_CONNECTIONS_PER_USER, env),
    corsOrigins:
      origins === undefined
        ? profile === 'demo'
          ? DEMO_CORS_ORIGINS
          : []
        : origins
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
  };
}
