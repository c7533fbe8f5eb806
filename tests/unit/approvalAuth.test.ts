import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, jwtSecretFromEnv } from '../../lib/auth/jwtSecret.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { InvalidTokenError, verifyBearer } from '../../lib/auth/verifyToken.ts';

const secret = 'test-secret';

async function refusal(header: string): Promise<InvalidTokenError> {
  try {
    await verifyBearer(header, secret);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return error as InvalidTokenError;
  }
  throw new Error('expected the token to be refused');
}

describe('bearer tokens', () => {
  it('reads the user id from sub', async () => {
    const token = await signToken({ userId: 'u-1001', secret });
    expect(await verifyBearer(`Bearer ${token}`, secret)).toEqual({ userId: 'u-1001' });
    expect(await verifyBearer(`bearer  ${token} `, secret)).toEqual({ userId: 'u-1001' });
  });

  it('treats a missing header as anonymous', async () => {
    expect(await verifyBearer(undefined, secret)).toBeNull();
    expect(await verifyBearer('', secret)).toBeNull();
  });

  it('refuses other secrets, expired tokens, junk and other schemes', async () => {
    expect((await refusal(`Bearer ${await signToken({ userId: 'u', secret: 'other' })}`)).reason).toBe('invalid');
    expect((await refusal(`Bearer ${await signToken({ userId: 'u', secret, expiresInSeconds: -60 })}`)).reason).toBe('expired');
    expect((await refusal('Bearer not.a.jwt')).reason).toBe('invalid');
    expect((await refusal('Basic dXNlcjpwYXNz')).reason).toBe('malformed');
  });

  it('refuses a token without a subject or with another algorithm', async () => {
    const key = new TextEncoder().encode(secret);
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    expect((await refusal(`Bearer ${noSub}`)).message).toMatch(/subject/);
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('u').sign(new Uint8Array(64).fill(1));
    expect((await refusal(`Bearer ${hs512}`)).reason).toBe('invalid');
  });

  it('has a documented development secret', () => {
    expect(jwtSecretFromEnv({})).toBe(DEV_JWT_SECRET);
    expect(DEV_JWT_SECRET).toBe('gatehouse-dev-secret');
    expect(jwtSecretFromEnv({ JWT_SECRET: 's' })).toBe('s');
  });
});
