import { DateTimeScalar } from '../../lib/subgraph/dateTimeScalar.ts';
import type { GraphQLResolverMap } from '../../lib/subgraph/resolverMap.ts';
import type { ChangeFeed } from './changeFeed.ts';
import { callerOrNull, unauthenticated, type ApprovalContext } from './context.ts';
import { notePushTrace } from './pushTraces.ts';
import { summaryStream, type SubscriptionObserver } from './subscriptions.ts';
import { readSummary, type ApprovalSummary } from './summary.ts';
import type { BusinessSystem } from './systems.ts';

interface UserRef {
  id: string;
}

/** A system as GraphQL sees it: never its secret. */
type PublicSystem = Omit<BusinessSystem, 'secret'>;

function publicSystem(system: BusinessSystem): PublicSystem {
  return { id: system.id, name: system.name, url: system.url };
}

export function createResolvers(changeFeed: ChangeFeed, subscriptions?: SubscriptionObserver) {
  return {
    DateTime: DateTimeScalar,
    Query: {
      me: (_: unknown, __: unknown, context: ApprovalContext): UserRef | null => {
        const userId = callerOrNull(context);
        return userId === null ? null : { id: userId };
      },
    },
    User: {
      // The gateway may ask for any id; only the caller's own resolves.
      __resolveReference(reference: { id?: unknown }, context: ApprovalContext): UserRef | null {
        const userId = callerOrNull(context);
        return userId !== null && reference.id === userId ? { id: userId } : null;
      },
      approvals: (user: UserRef, _: unknown, context: ApprovalContext): Promise<ApprovalSummary> => {
        // Defence in depth: a User object only ever exists for the caller.
        if (user.id !== context.userId) throw unauthenticated('approvals are visible to their owner only');
        return readSummary(context.store, context.systems, user.id);
      },
    },
    PendingApproval: {
      system: (item: { system: BusinessSystem }): PublicSystem => publicSystem(item.system),
    },
    BusinessSystem: {
      __resolveReference(reference: { id?: unknown }, context: ApprovalContext): PublicSystem | null {
        const system = typeof reference.id === 'string' ? context.systems.get(reference.id) : undefined;
        return system ? publicSystem(system) : null;
      },
    },
    Subscription: {
      approvalCountChanged: {
        subscribe: (_: unknown, __: unknown, context: ApprovalContext): AsyncIterableIterator<ApprovalSummary> => {
          const userId = callerOrNull(context);
          if (userId === null) throw unauthenticated('a subscription needs a signed-in user');
          // Each push's trace travels with it (websocket.ts), so the gateway's relay of it joins that trace.
          return summaryStream(
            userId,
            changeFeed,
            () => readSummary(context.store, context.systems, userId),
            subscriptions,
            (headers) => notePushTrace(context, headers),
          );
        },
        resolve: (summary: ApprovalSummary): ApprovalSummary => summary,
      },
    },
  } satisfies GraphQLResolverMap<ApprovalContext>;
}
