export interface ReconnectDelays {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT_DELAYS: ReconnectDelays = { initialMs: 2000, maxMs: 30_000 };

export interface ReconnectBackoff {
  /** The wait before the next attempt: `initialMs` first, then doubled each time up to `maxMs`. */
  next(): number;
}

/** The waits between reconnect attempts after one loss; a new loss starts a new backoff. */
export function createReconnectBackoff(delays: ReconnectDelays): ReconnectBackoff {
  let upcoming = delays.initialMs;
  return {
    next() {
      const delay = upcoming;
      upcoming = Math.min(upcoming * 2, delays.maxMs);
      return delay;
    },
  };
}
