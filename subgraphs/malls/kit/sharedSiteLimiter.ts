import type { Logger } from '../../../lib/log.ts';
import { connectSharedLimiter, type SharedConnectionEvents } from './sharedLimiterConnection.ts';
import { createSiteLimiter, waitingJobs, type SiteLimiter, type SiteLimits } from './siteLimiter.ts';

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
  const local = createSiteLimiter(limits);
  const state = createSharingState(options.key, redactedUrl(options.redisUrl), options.log);
  const events: SharedConnectionEvents = {
    failed: (why) => {
      if (state.fallBack(why)) rebuild();
    },
    registered: () => state.register(),
    ready: () => state.resume(),
    reconnected: () => rebuild(),
  };
  let current = connectSharedLimiter(limits, options, events);
  const rebuild = () => {
    state.unregister();
    current.retire();
    current = connectSharedLimiter(limits, options, events);
  };

  return {
    async schedule(task) {
      const { client, limiter } = current;
      if (!state.sharing || client.status !== 'ready') return local.schedule(task);
      let ran = false;
      try {
        return await limiter.schedule({ expiration: options.jobExpirationMs }, () => {
          ran = true;
          return task();
        });
      } catch (error) {
        // Redis failed before the task ran: run it under the local limits instead of failing the search.
        if (ran) throw error;
        events.failed(error instanceof Error ? error.message : String(error));
        return local.schedule(task);
      }
    },
    // A search may wait in either: the shared limiter, or the local one while Redis is away.
    waiting: () => local.waiting() + waitingJobs(current.limiter),
    shared: () => state.sharing,
    async close() {
      state.close();
      await local.close();
      await current.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      current.retire();
    },
  };
}

/**
 * Whether jobs go through Redis: once the limiter is registered there and
 * Redis answers; not from the first failure until it is back. Says so once
 * each way in the log.
 */
function createSharingState(key: string, where: string, log: Logger) {
  let sharing = false;
  let registered = false;
  let warned = false;
  let closed = false;
  const resume = () => {
    if (!registered || sharing || closed) return;
    sharing = true;
    if (warned) log.info(`site limit "${key}" is shared through Redis at ${where} again`);
    warned = false;
  };
  return {
    get sharing() {
      return sharing;
    },
    resume,
    register() {
      registered = true;
      resume();
    },
    unregister() {
      registered = false;
    },
    /** Stops sharing; true when Redis lost the limiter's state and it must be registered afresh. */
    fallBack(why: string): boolean {
      sharing = false;
      const lostState = LOST_STATE.test(why) && registered && !closed;
      if (!warned && !closed) {
        warned = true;
        log.warn(`site limit "${key}" cannot reach Redis at ${where} (${why}); limiting this replica alone until it is back`);
      }
      return lostState;
    },
    close() {
      closed = true;
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
