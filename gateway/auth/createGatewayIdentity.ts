import { createAssertionSigner, generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import type { Logger } from '../../lib/log.ts';
import { createIdentityForwarding, type IdentityForwarding } from './createIdentityForwarding.ts';
import type { JSONWebKeySet } from 'jose';

/**
 * Signs identity assertions with `signingKeyPem` (GATEWAY_SIGNING_KEY, which
 * every replica should share) for the `subgraphs` that get identity at all.
 * Without a key (the demo profile only; gateway/config.ts refuses it in
 * production) one is made for this process alone, which suits one gateway
 * whose subgraphs read its /.well-known/jwks.json.
 */
export async function createGatewayIdentity(
  log: Logger,
  signingKeyPem: string | undefined,
  subgraphs: readonly string[],
): Promise<{ forward: IdentityForwarding; jwks: JSONWebKeySet }> {
  let pem = signingKeyPem;
  if (!pem) {
    log.warn(
      'GATEWAY_SIGNING_KEY is unset; signing identity assertions with a key made for this process (subgraphs must read GATEWAY_JWKS_URL, and replicas will not share it)',
    );
    pem = (await generateAssertionKeys()).privateKeyPem;
  }
  const signer = await createAssertionSigner(pem);
  return { forward: createIdentityForwarding(signer, new Set(subgraphs)), jwks: signer.jwks };
}
