import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { errorMessage, type Logger } from '../../lib/log.ts';

export interface RateLimitSettings {
  /** Length of one fixed window. */
  windowSeconds: number;
  /** Requests per window for one client name (`apollographql-client-name`; unnamed clients share one); 0: no limit. */
  perClient: number;
  /** Requests per window for one signed-in user (the token's `sub`); 0: no limit. */
  perUser: number;
  /** Shared by every replica through this Redis; unset: each process counts alone. */
  redisUrl?: string;
}

export type RateVerdict = { allowed: true } | { allowed: false; limit: 'client' | 'user'; retryAfterSeconds: number };

export interface RateLimits {
  check(caller: { client: string; user: string | null }): Promise<RateVerdict>;
  close(): Promise<void>;
}

const KEY_PREFIX = 'gatehouse:gateway:rate';
/** After a failed Redis call, how long the replica counts alone before asking Redis again. */
const REDIS_BACKOFF_MS = 1000;

/**
 * Per-client and per-user request budgets (rate-limiter-flexible, fixed
 * windows). With Redis every replica draws on one budget; while Redis is
 * unreachable (down, or slower than 250 ms) each replica keeps the same
 * limits in memory, and says so once when it goes and once when it is back.
 */
export function createRateLimits(settings: RateLimitSettings, log: Logger): RateLimits {
  const redis = settings.redisUrl ? connect(settings.redisUrl) : null;
  const where = settings.redisUrl ? withoutPassword(settings.redisUrl) : '';
  let state: 'starting' | 'shared' | 'alone' = 'starting';
  let skipRedisUntil = 0;

  const shared = () => {
    if (state === 'shared') return;
    log.info(`rate limits shared through Redis at ${where}${state === 'alone' ? ' again' : ''}`);
    state = 'shared';
  };
  const alone = (reason: string) => {
    skipRedisUntil = Date.now() + REDIS_BACKOFF_MS;
    if (state === 'alone') return;
    log.warn(`cannot reach Redis at ${where} (${reason}); limiting this replica alone until it is back`);
    state = 'alone';
  };
  // Back: draw on the shared budget from the next request, not after the backoff of the last failure.
  redis?.on('ready', () => {
    skipRedisUntil = 0;
    shared();
  });
  // ioredis reconnects by itself; every failed attempt is an 'error' event, of which one line is logged.
  redis?.on('error', (error: unknown) => alone(errorMessage(error)));
  redis?.on('close', () => state === 'shared' && alone('connection closed'));

  const limiter = (name: string, points: number) => {
    if (points <= 0) return null;
    const options = { points, duration: settings.windowSeconds, keyPrefix: `${KEY_PREFIX}:${name}` };
    return {
      memory: new RateLimiterMemory(options),
      shared: redis ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true }) : null,
    };
  };
  const perClient = limiter('client', settings.perClient);
  const perUser = limiter('user', settings.perUser);

  /** Milliseconds until the key has budget again, or 0 while it has. */
  const consume = async (pair: { memory: RateLimiterAbstract; shared: RateLimiterAbstract | null }, key: string): Promise<number> => {
    try {
      if (pair.shared && redis?.status === 'ready' && Date.now() >= skipRedisUntil) {
        try {
          await pair.shared.consume(key);
          shared();
          return 0;
        } catch (error) {
          if (error instanceof RateLimiterRes) throw error;
          alone(errorMessage(error));
        }
      }
      await pair.memory.consume(key);
      return 0;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, error.msBeforeNext);
      throw error;
    }
  };

  return {
    async check({ client, user }) {
      const [clientWait, userWait] = await Promise.all([perClient ? consume(perClient, client) : 0, perUser && user !== null ? consume(perUser, user) : 0]);
      if (userWait > 0) return { allowed: false, limit: 'user', retryAfterSeconds: Math.ceil(userWait / 1000) };
      if (clientWait > 0) return { allowed: false, limit: 'client', retryAfterSeconds: Math.ceil(clientWait / 1000) };
      return { allowed: true };
    },
    async close() {
      redis?.disconnect();
    },
  };
}

function connect(url: string): Redis {
  return new Redis(url, {
    // Fail at once while disconnected, and give up on a reply after 250 ms: a request never waits on Redis.
    enableOfflineQueue: false,
    commandTimeout: 250,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
