import { DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { signToken, type SignTokenOptions } from '../../lib/auth/signToken.ts';

/** Options of lib/auth/signToken.ts besides the user; the secret defaults to the development one. */
export type TokenOptions = Partial<Omit<SignTokenOptions, 'userId'>>;

/** A client token for `userId`, signed as the identity provider would (HS256, `sub`). */
export function userToken(userId: string, options: TokenOptions = {}): Promise<string> {
  return signToken({ secret: DEV_JWT_SECRET, ...options, userId });
}

/** The Authorization header a client signed in as `userId` sends. */
export async function signedInAs(userId: string, options: TokenOptions = {}): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await userToken(userId, options)}` };
}
