import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, SignJWT, type JSONWebKeySet, type JWK } from 'jose';

/**
 * Identity as the gateway hands it to a subgraph: a short-lived JWT signed
 * with the gateway's private key (EdDSA), naming that one subgraph as its
 * audience and carrying only the user id. The client's own token never
 * leaves the gateway, so what one subgraph sees works nowhere else: not at
 * the gateway (it takes only user tokens) and not at another subgraph (wrong
 * audience).
 */
export const ASSERTION_ISSUER = 'gatehouse-gateway';
export const ASSERTION_ALGORITHM = 'EdDSA';
/** Long enough for one request's fetches, short enough that a leaked one soon expires. */
export const ASSERTION_TTL_SECONDS = 60;
/** Reused while it has at least this much life left; signing per fetch would cost every request. */
const REUSE_MARGIN_SECONDS = 30;
const MAX_CACHED = 10_000;

export interface AssertionSigner {
  /** `Bearer`-less assertion that `userId` is calling, for `audience` (a subgraph name) only. */
  sign(audience: string, userId: string): Promise<string>;
  /** The public key subgraphs verify with, as a JWKS. */
  jwks: JSONWebKeySet;
}

export async function createAssertionSigner(privateKeyPem: string, ttlSeconds = ASSERTION_TTL_SECONDS): Promise<AssertionSigner> {
  let key: CryptoKey;
  try {
    key = await importPKCS8(privateKeyPem, ASSERTION_ALGORITHM, { extractable: true });
  } catch {
    throw new Error('GATEWAY_SIGNING_KEY is not an Ed25519 private key in PKCS#8 PEM; generate one with `openssl genpkey -algorithm ed25519` or unset it');
  }
  const publicJwk = await publicJwkOf(key);
  const cache = new Map<string, { token: string; expires: number }>();
  return {
    jwks: { keys: [publicJwk] },
    async sign(audience, userId) {
      const now = Math.floor(Date.now() / 1000);
      const id = `${audience}\n${userId}`;
      const cached = cache.get(id);
      if (cached && cached.expires - now >= REUSE_MARGIN_SECONDS) return cached.token;
      const expires = now + ttlSeconds;
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: ASSERTION_ALGORITHM, kid: publicJwk.kid!, typ: 'JWT' })
        .setIssuer(ASSERTION_ISSUER)
        .setAudience(audience)
        .setSubject(userId)
        .setIssuedAt(now)
        .setExpirationTime(expires)
        .sign(key);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(id, { token, expires });
      return token;
    },
  };
}

/** A fresh key pair: the private key for GATEWAY_SIGNING_KEY, its JWKS for GATEWAY_PUBLIC_KEYS. */
export async function generateAssertionKeys(): Promise<{ privateKeyPem: string; jwks: JSONWebKeySet }> {
  const { privateKey } = await generateKeyPair(ASSERTION_ALGORITHM, { crv: 'Ed25519', extractable: true });
  return { privateKeyPem: await exportPKCS8(privateKey), jwks: { keys: [await publicJwkOf(privateKey)] } };
}

async function publicJwkOf(privateKey: CryptoKey): Promise<JWK> {
  const { d: _private, ...publicJwk } = await exportJWK(privateKey);
  return { ...publicJwk, alg: ASSERTION_ALGORITHM, use: 'sig', kid: await calculateJwkThumbprint(publicJwk) };
}
