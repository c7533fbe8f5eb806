import { SignJWT } from 'jose';

export interface SignTokenOptions {
  userId: string;
  secret: string;
  /** Lifetime from now; negative gives an already expired token (tests). Default one hour. */
  expiresInSeconds?: number;
  /** Extra claims (name, roles, …) for development tokens. */
  claims?: Record<string, unknown>;
}

/**
 * Issues an HS256 token with `sub` = userId. For tests and local development
 * only: production tokens come from the company's identity provider.
 */
export async function signToken(options: SignTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret));
}
