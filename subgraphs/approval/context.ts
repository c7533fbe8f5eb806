import type { IdentityVerifier } from '../../lib/auth/verifyAssertion.ts';
import { InvalidTokenError } from '../../lib/auth/verifyToken.ts';
import { graphql } from './graphqlRuntime.ts';
import type { ApprovalStore } from './store/approvalStore.ts';
import type { SystemDirectory } from './systems.ts';

/** What every resolver gets: the caller's identity (or why it has none) and the data. */
export interface ApprovalContext {
  /** The authenticated user, or null. */
  userId: string | null;
  /** Set when credentials were presented but refused. */
  authError: InvalidTokenError | null;
  store: ApprovalStore;
  systems: SystemDirectory;
}

export interface ContextDeps {
  store: ApprovalStore;
  systems: SystemDirectory;
  /** Identity comes only from the gateway's assertions (lib/auth/verifyAssertion.ts). */
  identity: IdentityVerifier;
}

/** Builds the context from an `Authorization` value (HTTP header or its WebSocket equivalents). */
export async function contextFor(authorization: string | undefined, deps: ContextDeps): Promise<ApprovalContext> {
  const base = { store: deps.store, systems: deps.systems };
  try {
    const identity = await deps.identity(authorization);
    return { ...base, userId: identity?.userId ?? null, authError: null };
  } catch (error) {
    if (error instanceof InvalidTokenError) return { ...base, userId: null, authError: error };
    throw error;
  }
}

export function unauthenticated(reason: string): InstanceType<typeof graphql.GraphQLError> {
  return new graphql.GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED' } });
}

/** The caller's user id; throws UNAUTHENTICATED for refused credentials, null when anonymous. */
export function callerOrNull(context: ApprovalContext): string | null {
  if (context.authError) throw unauthenticated(`not authenticated: ${context.authError.message}`);
  return context.userId;
}
