import type { RateVerdict } from './createRateLimits.ts';

export type RateRefusal = Extract<RateVerdict, { allowed: false }>;

/** What a refused caller is told, over any transport: one line, RATE_LIMITED, and when to come back. */
export function rateLimitedError(verdict: RateRefusal, client: string): { message: string; extensions: { code: 'RATE_LIMITED'; retryAfterSeconds: number } } {
  const who = verdict.limit === 'user' ? 'this user' : `client "${client}"`;
  return {
    message: `too many requests from ${who}; retry after ${verdict.retryAfterSeconds} s`,
    extensions: { code: 'RATE_LIMITED', retryAfterSeconds: verdict.retryAfterSeconds },
  };
}
