import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import type { Logger } from '../../../lib/log.ts';
import { bottleneckSettings, createSiteLimiter, waitingJobs, type SiteLimiter, type SiteLimits } from './siteLimiter.ts';

export interface SharedLimiterOptions {
  redisUrl: string;
  /** Names the budget; every replica of one mall uses the same key. */
  key: string;
  /** A job held longer than this is given up, so a replica that died mid-fetch frees its slot. */
  jobExpirationMs: number;
  log: Logger;
}

/**
 * Bottleneck recovers from lost limiter state (Redis restarted or flushed) by
 * matching these errors exactly, but Redis 7 prefixes them with "ERR ", so
 * the recovery never runs (SGrondin/bottleneck#205, #212). We rebuild the
 * limiter instead, which registers it afresh.
 */
const LOST_STATE = /SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT/;

/**
 * One site's limits shared by every replica of its mall through Redis
 * (Bottleneck's clustering), so ten replicas still send the site its one
 * budget, not ten. While Redis is unreachable each replica falls back to
 * the same limits on its own: searches go on, the site sees at most
 * replicas × limits, and the shared budget returns with Redis.
 */
export function createSharedSiteLimiter(limits: SiteLimits, options: SharedLimiterOptions): SiteLimiter {
  const { log } = options;
  const where = redactedUrl(options.redisUrl);
  const local = createSiteLimiter(limits);

  /** The shared limiter is registered in Redis and Redis answers: jobs go through it. */
  let sharing = false;
  let registered = false;
  let warned = false;
  let closed = false;

  const fallBack = (why: string) => {
    sharing = false;
    if (LOST_STATE.test(why) && registered && !closed) rebuild();
    if (warned || closed) return;
    warned = true;
    log.warn(`site limit "${options.key}" cannot reach Redis at ${where} (${why}); limiting this replica alone until it is back`);
  };
  const resume = () => {
    if (!registered || sharing || closed) return;
    sharing = true;
    if (warned) log.info(`site limit "${options.key}" is shared through Redis at ${where} again`);
    warned = false;
  };

  /** A limiter with a connection of its own, so a rebuild can drop both without talking to Redis. */
  const build = () => {
    // Fail fast while Redis is away, rather than queueing commands behind a search.
    // No resubscribing after a reconnect: a lost connection rebuilds the limiter anyway, and
    // ioredis would send SUBSCRIBE on a socket that may already be closing again, an unhandled rejection.
    const client = new Redis(options.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      autoResubscribe: false,
      retryStrategy: (attempt) => Math.min(attempt * 500, 5000),
    });
    const connection = new Bottleneck.IORedisConnection({ client });
    // Bottleneck duplicates the client for its pub/sub; the typings do not show it.
    const subscriber = (connection as unknown as { subscriber: Redis }).subscriber;
    const limiter = new Bottleneck({ ...bottleneckSettings(limits), id: options.key, datastore: 'ioredis', connection, clearDatastore: false });
    const built = { client, connection, limiter };
    const ifCurrent = (react: () => void) => () => {
      if (current === built) react();
    };
    // Errors are reported through the state they leave; these keep them from being unhandled.
    limiter.on('error', (error: Error) => ifCurrent(() => fallBack(error.message))());
    let lostConnection = false;
    for (const redis of [client, subscriber]) {
      redis.on('error', (error: Error) => ifCurrent(() => fallBack(error.message))());
      redis.on(
        'close',
        ifCurrent(() => {
          lostConnection = true;
          fallBack('connection closed');
        }),
      );
      // Redis may have restarted while away, losing the limiter's state: register afresh.
      redis.on(
        'ready',
        ifCurrent(() => (lostConnection ? rebuild() : resume())),
      );
    }
    void limiter
      .ready()
      // Settings already in Redis from an earlier start win over new ones unless written again.
      .then(() => limiter.updateSettings(bottleneckSettings(limits)))
      .then(
        ifCurrent(() => {
          registered = true;
          resume();
        }),
      )
      .catch((error: Error) => ifCurrent(() => fallBack(error.message))());
    return built;
  };
  const drop = (built: ReturnType<typeof build>) => {
    // Disconnecting the connection, not the limiter: that one would unsubscribe first, over a socket that may be down.
    // A lost connection often fails to say goodbye; it is dropped either way, so that failure is not news.
    built.connection.disconnect(false).catch(() => undefined);
  };
  let current = build();
  const rebuild = () => {
    const lost = current;
    registered = false;
    current = build();
    drop(lost);
  };

  return {
    async schedule(task) {
      const { client, limiter } = current;
      if (!sharing || client.status !== 'ready') return local.schedule(task);
      let ran = false;
      try {
        return await limiter.schedule({ expiration: options.jobExpirationMs }, () => {
          ran = true;
          return task();
        });
      } catch (error) {
        // Redis failed before the task ran: run it under the local limits instead of failing the search.
        if (ran) throw error;
        fallBack(error instanceof Error ? error.message : String(error));
        return local.schedule(task);
      }
    },
    // A search may wait in either: the shared limiter, or the local one while Redis is away.
    waiting: () => local.waiting() + waitingJobs(current.limiter),
    shared: () => sharing,
    async close() {
      closed = true;
      await local.close();
      await current.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      drop(current);
    },
  };
}

function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an invalid URL';
  }
}
