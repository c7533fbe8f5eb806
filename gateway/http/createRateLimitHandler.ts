import type { RequestHandler } from 'express';
import type { RateLimits } from '../limits/createRateLimits.ts';

/** Apollo's client-identification header; the app sets it, as Apollo Client and Kotlin/iOS do. */
const CLIENT_NAME_HEADER = 'apollographql-client-name';
/** Clients that send no name share one budget. */
const UNNAMED = '(unnamed)';

/**
 * Counts each request against its client's and its user's budget (after
 * the token is verified, so `sub` is the user's own) and answers 429 with
 * `Retry-After` once either is spent, before the body is even read.
 */
export function createRateLimitHandler(limits: RateLimits): RequestHandler {
  return async (req, res, next) => {
    const named = req.headers[CLIENT_NAME_HEADER];
    const client = typeof named === 'string' && named.trim() !== '' ? named.trim().slice(0, 100) : UNNAMED;
    const user = (res.locals.userId as string | undefined) ?? null;
    const verdict = await limits.check({ client, user });
    if (verdict.allowed) return next();
    const who = verdict.limit === 'user' ? 'this user' : `client "${client}"`;
    res
      .status(429)
      .set('Retry-After', String(verdict.retryAfterSeconds))
      .json({
        errors: [
          {
            message: `too many requests from ${who}; retry after ${verdict.retryAfterSeconds} s`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: verdict.retryAfterSeconds },
          },
        ],
      });
  };
}
