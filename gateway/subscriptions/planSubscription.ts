import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import { GraphQLError, print, type DocumentNode } from 'graphql';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';

export interface SubscriptionPlan {
  /** The subscription the owning subgraph streams. */
  primary: FetchNode;
  /** What other subgraphs add to every event. */
  rest?: PlanNode;
}

/**
 * Apollo's query planner turns a subscription into a Subscription node
 * (`primary` fetch plus `rest`), which its own executor refuses to run.
 */
export function planSubscription(version: SupergraphVersion, document: DocumentNode, operationName: string | undefined): SubscriptionPlan {
  const queryPlan: QueryPlan = version.plan(document, operationName, `subscription\n${operationName ?? ''}\n${print(document)}`);
  const node = queryPlan.node;
  if (node?.kind !== 'Subscription') {
    throw new GraphQLError('only subscription operations can be streamed here', { extensions: { code: 'BAD_REQUEST' } });
  }
  return { primary: node.primary, rest: node.rest };
}
