import { Redis } from 'ioredis';
import { createTtlCache } from '../../lib/ttlCache.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';

/** Automatic persisted queries: hash → query text, registered on a miss. */
export interface ApqStore {
  get(id: string): Promise<string | undefined>;
  set(id: string, body: string): Promise<void>;
  close(): void;
}

const KEY_PREFIX = 'gatehouse:apq:';
/** Entries this replica keeps in memory, in front of Redis or alone. */
const LOCAL_ENTRIES = 10_000;

/**
 * APQ entries in Redis (`GATEWAY_APQ_REDIS_URL`), so a hash one replica
 * registered is served by every other, with this replica's own copies in
 * memory in front. Without Redis, or while it is unreachable (said once each
 * way), the memory alone: the client then re-sends the query on a miss, as
 * APQ clients do.
 */
export function createApqStore(options: { redisUrl?: string; ttlSeconds: number; log: Logger }): ApqStore {
  const local = createTtlCache<string>({ ttlMs: options.ttlSeconds * 1000, maxEntries: LOCAL_ENTRIES });
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, {
        enableOfflineQueue: false,
        commandTimeout: 250,
        maxRetriesPerRequest: 0,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      })
    : null;
  let down = false;
  const failed = (error: unknown) => {
    if (down) return;
    down = true;
    options.log.warn(`cannot reach Redis for APQ (${errorMessage(error)}); this replica serves only the hashes it registered itself until it is back`);
  };
  redis?.on('error', failed);
  redis?.on('ready', () => {
    if (down) options.log.info('APQ entries shared through Redis again');
    down = false;
  });
  const usable = () => redis !== null && redis.status === 'ready';
  return {
    async get(id) {
      const cached = local.get(id);
      if (cached !== undefined || !usable()) return cached;
      try {
        const body = await redis!.get(KEY_PREFIX + id);
        if (body === null) return undefined;
        local.set(id, body);
        return body;
      } catch (error) {
        failed(error);
        return undefined;
      }
    },
    async set(id, body) {
      local.set(id, body);
      if (!usable()) return;
      try {
        await redis!.set(KEY_PREFIX + id, body, 'EX', options.ttlSeconds);
      } catch (error) {
        failed(error);
      }
    },
    close: () => redis?.disconnect(),
  };
}
