import { errors, jwtVerify } from 'jose';

export interface Identity {
  userId: string;
}

/** Why a presented token was refused; `reason` is safe to show the caller. */
export class InvalidTokenError extends Error {
  readonly reason: 'malformed' | 'expired' | 'invalid';
  constructor(reason: InvalidTokenError['reason'], message: string) {
    super(message);
    this.name = 'InvalidTokenError';
    this.reason = reason;
  }
}

/** Longest user id a token may carry, the same bound events have. */
const MAX_USER_ID_LENGTH = 200;
/** Tolerates small clock differences between the issuer and this host. */
const CLOCK_TOLERANCE_S = 5;

const keys = new Map<string, Uint8Array>();
function keyFor(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    keys.set(secret, key);
  }
  return key;
}

/**
 * The identity in an `Authorization: Bearer <JWT>` value (HS256, user id in
 * `sub`). No header (or an empty one) is anonymous: null. A header that is
 * present but not a valid token throws InvalidTokenError, so callers can tell
 * "not logged in" from "bad credentials".
 */
export async function verifyBearer(authorization: string | undefined | null, secret: string): Promise<Identity | null> {
  if (authorization === undefined || authorization === null || authorization.trim() === '') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match?.[1]) throw new InvalidTokenError('malformed', 'Authorization must be "Bearer <token>"');
  return verifyToken(match[1], secret);
}

/** Verifies a bare JWT; throws InvalidTokenError when it is not acceptable. */
export async function verifyToken(token: string, secret: string): Promise<Identity> {
  let sub: unknown;
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: ['HS256'],
      clockTolerance: CLOCK_TOLERANCE_S,
    });
    sub = payload.sub;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new InvalidTokenError('expired', 'the token has expired');
    if (error instanceof errors.JOSEError) throw new InvalidTokenError('invalid', 'the token is not valid');
    throw error;
  }
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_USER_ID_LENGTH) {
    throw new InvalidTokenError('invalid', 'the token has no usable subject (sub)');
  }
  return { userId: sub };
}
