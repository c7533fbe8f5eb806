import { jwtVerify } from 'jose';

export type Authentication =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; authorization: string }
  | { kind: 'invalid'; reason: string };

export type Authenticator = (authorization: string | undefined) => Promise<Authentication>;

/**
 * Checks the caller's `Authorization: Bearer <JWT>` (HS256, `JWT_SECRET`) at
 * the edge, so a bad token is refused once with a clear reason; the token
 * then travels on to subgraphs, which take identity only from the gateway.
 */
export function createAuthenticator(secret: string): Authenticator {
  const key = new TextEncoder().encode(secret);
  return async (authorization) => {
    if (!authorization) return { kind: 'anonymous' };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return { kind: 'invalid', reason: 'the Authorization header must be "Bearer <token>"' };
    try {
      const { payload } = await jwtVerify(match[1]!, key, { algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || payload.sub === '') return { kind: 'invalid', reason: 'the token has no subject (sub)' };
      return { kind: 'user', userId: payload.sub, authorization: `Bearer ${match[1]}` };
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { kind: 'invalid', reason: code === 'ERR_JWT_EXPIRED' ? 'the token has expired; sign in again' : 'the token is not valid' };
    }
  };
}

/** `Authorization` from a graphql-ws `connection_init` payload, in either spelling. */
export function authorizationFromParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.Authorization ?? params?.authorization;
  return typeof value === 'string' ? value : undefined;
}
