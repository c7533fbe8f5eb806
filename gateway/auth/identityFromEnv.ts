import { createAssertionSigner, generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import type { Logger } from '../../lib/log.ts';
import { createIdentityForwarding, type IdentityForwarding } from './createIdentityForwarding.ts';
import type { JSONWebKeySet } from 'jose';

/** Subgraphs that get the caller's identity unless GATEHOUSE_IDENTITY_SUBGRAPHS says otherwise. */
export const DEFAULT_IDENTITY_SUBGRAPHS = ['approval'];

/**
 * GATEWAY_SIGNING_KEY (Ed25519, PKCS#8 PEM) signs identity assertions; every
 * replica should share it. Without it a key is made for this process alone,
 * which suits one gateway whose subgraphs read its /.well-known/jwks.json.
 * GATEHOUSE_IDENTITY_SUBGRAPHS names the subgraphs that get identity at all.
 */
export async function identityFromEnv(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<{ forward: IdentityForwarding; jwks: JSONWebKeySet }> {
  let pem = env.GATEWAY_SIGNING_KEY;
  if (!pem) {
    log.warn('GATEWAY_SIGNING_KEY is unset; signing identity assertions with a key made for this process (subgraphs must read GATEWAY_JWKS_URL, and replicas will not share it)');
    pem = (await generateAssertionKeys()).privateKeyPem;
  }
  const signer = await createAssertionSigner(pem);
  const names = env.GATEHOUSE_IDENTITY_SUBGRAPHS;
  const subgraphs = names === undefined ? DEFAULT_IDENTITY_SUBGRAPHS : names.split(',').map((s) => s.trim()).filter(Boolean);
  return { forward: createIdentityForwarding(signer, new Set(subgraphs)), jwks: signer.jwks };
}
