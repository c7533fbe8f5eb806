import type { RequestHandler } from 'express';
import type { Authenticator } from '../auth/createAuthenticator.ts';

/** A token that does not verify is refused here, once, with the reason; a valid one leaves only its user id. */
export function refuseInvalidTokens(authenticate: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const authentication = await authenticate(req.headers.authorization);
    if (authentication.kind === 'user') res.locals.userId = authentication.userId;
    if (authentication.kind !== 'invalid') return next();
    res.status(401).json({ errors: [{ message: authentication.reason, extensions: { code: 'UNAUTHENTICATED' } }] });
  };
}
