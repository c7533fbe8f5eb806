import { InvalidTokenError, verifyBearer } from '../../lib/auth/verifyToken.ts';

export type Authentication = { kind: 'anonymous' } | { kind: 'user'; userId: string } | { kind: 'invalid'; reason: string };

export type Authenticator = (authorization: string | undefined) => Promise<Authentication>;

/**
 * Checks the caller's `Authorization: Bearer <JWT>` at the edge, so a bad
 * token is refused once with a clear reason. The token stops here: subgraphs
 * that need identity get the gateway's own assertion (createIdentityForwarding).
 */
export function createAuthenticator(secret: string): Authenticator {
  return async (authorization) => {
    try {
      const identity = await verifyBearer(authorization, secret);
      return identity ? { kind: 'user', userId: identity.userId } : { kind: 'anonymous' };
    } catch (error) {
      if (error instanceof InvalidTokenError) return { kind: 'invalid', reason: `${error.message}; sign in again` };
      throw error;
    }
  };
}

/** `Authorization` from a graphql-ws `connection_init` payload, in either spelling. */
export function authorizationFromParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.Authorization ?? params?.authorization;
  return typeof value === 'string' ? value : undefined;
}

/** The user id of a caller whose token verified; null when anonymous or refused (transports refuse those first). */
export async function authenticatedUser(authenticate: Authenticator, authorization: string | undefined): Promise<string | null> {
  const authentication = await authenticate(authorization);
  return authentication.kind === 'user' ? authentication.userId : null;
}
