import { createAssertionSigner, generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import { createAssertionVerifier } from '../../lib/auth/verifyAssertion.ts';

/** A gateway key pair for tests that call a subgraph directly, as the gateway would. */
const keys = await generateAssertionKeys();
const signer = await createAssertionSigner(keys.privateKeyPem);

export const gatewayJwks = keys.jwks;

/** What the approval subgraph verifies callers with in tests. */
export const approvalIdentity = createAssertionVerifier({ jwks: keys.jwks }, 'approval');

/** `Bearer`-less assertion the gateway would send `audience` for `userId`. */
export function assertionFor(userId: string, audience = 'approval'): Promise<string> {
  return signer.sign(audience, userId);
}

const expiredSigner = await createAssertionSigner(keys.privateKeyPem, -60);

/** An assertion from the right key that expired a minute ago. */
export function expiredAssertionFor(userId: string, audience = 'approval'): Promise<string> {
  return expiredSigner.sign(audience, userId);
}

/** For spawned gateways and approval subgraphs: the gateway signs with this key, approval trusts it. */
export const identityEnv = { GATEWAY_SIGNING_KEY: keys.privateKeyPem, GATEWAY_PUBLIC_KEYS: JSON.stringify(keys.jwks) };
