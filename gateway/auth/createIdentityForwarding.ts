import type { AssertionSigner } from '../../lib/auth/gatewayAssertions.ts';

/** The `Authorization` value for one subgraph, or undefined when it gets no identity. */
export type IdentityForwarding = (subgraph: string, userId: string | null) => Promise<string | undefined>;

/**
 * Only the subgraphs the operator names get identity, each an assertion of
 * its own; the rest (malls, by default every team's subgraph) get none.
 */
export function createIdentityForwarding(signer: AssertionSigner, subgraphs: ReadonlySet<string>): IdentityForwarding {
  return async (subgraph, userId) => {
    if (userId === null || !subgraphs.has(subgraph)) return undefined;
    return `Bearer ${await signer.sign(subgraph, userId)}`;
  };
}
