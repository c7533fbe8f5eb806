/**
 * The HS256 secret every service verifies tokens with. The default only suits
 * a developer machine: anyone who reads this file can mint tokens with it.
 */
export const DEV_JWT_SECRET = 'gatehouse-dev-secret';

export function jwtSecretFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env.JWT_SECRET;
  return secret === undefined || secret === '' ? DEV_JWT_SECRET : secret;
}
