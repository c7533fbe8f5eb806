import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ASSERTION_ALGORITHM, ASSERTION_ISSUER } from './gatewayAssertions.ts';
import { InvalidTokenError, type Identity } from './verifyToken.ts';

/** The identity in an `Authorization` value, null when anonymous; throws InvalidTokenError when refused. */
export type IdentityVerifier = (authorization: string | undefined | null) => Promise<Identity | null>;

/** Where a subgraph finds the gateway's public keys. */
export type GatewayKeys = { jwks: JSONWebKeySet } | { jwksUrl: string };

const CLOCK_TOLERANCE_S = 5;
const MAX_USER_ID_LENGTH = 200;

/**
 * A subgraph trusts identity only from the gateway: an assertion signed by
 * one of the gateway's keys, for this subgraph (`audience`), not expired.
 * A client's own token, or an assertion made for another subgraph, is refused.
 */
export function createAssertionVerifier(keys: GatewayKeys, audience: string): IdentityVerifier {
  const getKey: JWTVerifyGetKey = 'jwks' in keys ? createLocalJWKSet(keys.jwks) : createRemoteJWKSet(new URL(keys.jwksUrl));
  return async (authorization) => {
    if (authorization === undefined || authorization === null || authorization.trim() === '') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (!match?.[1]) throw new InvalidTokenError('malformed', 'Authorization must be "Bearer <token>"');
    let sub: unknown;
    try {
      ({
        payload: { sub },
      } = await jwtVerify(match[1], getKey, { algorithms: [ASSERTION_ALGORITHM], issuer: ASSERTION_ISSUER, audience, clockTolerance: CLOCK_TOLERANCE_S }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new InvalidTokenError('expired', "the gateway's identity assertion has expired");
      if (error instanceof errors.JOSEError)
        throw new InvalidTokenError('invalid', `only the gateway's identity assertions for ${audience} are accepted here; call through the gateway`);
      throw error;
    }
    if (typeof sub !== 'string' || sub === '' || sub.length > MAX_USER_ID_LENGTH)
      throw new InvalidTokenError('invalid', 'the identity assertion has no usable subject (sub)');
    return { userId: sub };
  };
}

/** GATEWAY_PUBLIC_KEYS (a JWKS, inline) or GATEWAY_JWKS_URL (the gateway's `/.well-known/jwks.json`). */
export function gatewayKeysFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayKeys {
  const inline = env.GATEWAY_PUBLIC_KEYS;
  if (inline) {
    try {
      const jwks = JSON.parse(inline) as JSONWebKeySet;
      if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error('no keys');
      return { jwks };
    } catch {
      throw new Error('GATEWAY_PUBLIC_KEYS is not a JWKS ({"keys":[…]}); copy it from the gateway\'s /.well-known/jwks.json or set GATEWAY_JWKS_URL instead');
    }
  }
  const url = env.GATEWAY_JWKS_URL;
  if (url) {
    if (!URL.canParse(url)) throw new Error(`GATEWAY_JWKS_URL "${url.slice(0, 200)}" is not a URL; point it at the gateway's /.well-known/jwks.json`);
    return { jwksUrl: url };
  }
  throw new Error(
    "neither GATEWAY_PUBLIC_KEYS nor GATEWAY_JWKS_URL is set; this subgraph takes identity only from the gateway, so give it the gateway's public keys",
  );
}
