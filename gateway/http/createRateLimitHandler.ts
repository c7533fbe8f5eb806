import type { RequestHandler } from 'express';
import type { RateLimits } from '../limits/createRateLimits.ts';
import { rateLimitedError } from '../limits/rateLimitedError.ts';
import { CLIENT_NAME_HEADER, clientNameOf } from '../persisted/createPersistedOperations.ts';

/**
 * Counts each request against its client's and its user's budget (after
 * the token is verified, so `sub` is the user's own) and answers 429 with
 * `Retry-After` once either is spent, before the body is even read.
 * Clients that send no `apollographql-client-name` share one budget.
 */
export function createRateLimitHandler(limits: RateLimits): RequestHandler {
  return async (req, res, next) => {
    const client = clientNameOf(req.headers[CLIENT_NAME_HEADER]);
    const user = (res.locals.userId as string | undefined) ?? null;
    const verdict = await limits.check({ client, user });
    if (verdict.allowed) return next();
    res
      .status(429)
      .set('Retry-After', String(verdict.retryAfterSeconds))
      .json({ errors: [rateLimitedError(verdict, client)] });
  };
}
