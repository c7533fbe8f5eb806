import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { bottleneckSettings, type SiteLimits } from './siteLimiter.ts';

/** What a shared limiter's Redis connection reports, until it is retired. */
export interface SharedConnectionEvents {
  /** Redis or the limiter failed; `why` is the error's message. */
  failed(why: string): void;
  /** The limiter is registered in Redis with these limits. */
  registered(): void;
  /** A connection is ready again after a blip that lost nothing. */
  ready(): void;
  /** A connection is back after it was closed: Redis may have restarted and lost the limiter's state. */
  reconnected(): void;
}

export interface SharedConnection {
  client: Redis;
  limiter: Bottleneck;
  /** Stops reporting and drops the connection, without talking to Redis. */
  retire(): void;
}

/**
 * A Bottleneck limiter clustered through Redis, with a connection of its own
 * so it can be dropped whole when it has to be rebuilt.
 */
export function connectSharedLimiter(limits: SiteLimits, options: { redisUrl: string; key: string }, events: SharedConnectionEvents): SharedConnection {
  let retired = false;
  const report =
    <A extends unknown[]>(react: (...args: A) => void) =>
    (...args: A) => {
      if (!retired) react(...args);
    };
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
  // Errors are reported through the state they leave; these keep them from being unhandled.
  const failed = report((error: Error) => events.failed(error.message));
  limiter.on('error', failed);
  let lostConnection = false;
  for (const redis of [client, subscriber]) {
    redis.on('error', failed);
    redis.on(
      'close',
      report(() => {
        lostConnection = true;
        events.failed('connection closed');
      }),
    );
    // Redis may have restarted while away, losing the limiter's state: register afresh.
    redis.on(
      'ready',
      report(() => (lostConnection ? events.reconnected() : events.ready())),
    );
  }
  limiter
    .ready()
    // Settings already in Redis from an earlier start win over new ones unless written again.
    .then(() => limiter.updateSettings(bottleneckSettings(limits)))
    .then(report(() => events.registered()))
    .catch(failed);
  return {
    client,
    limiter,
    retire() {
      retired = true;
      // Disconnecting the connection, not the limiter: that one would unsubscribe first, over a socket that may be down.
      // A lost connection often fails to say goodbye; it is dropped either way, so that failure is not news.
      connection.disconnect(false).catch(() => undefined);
    },
  };
}
