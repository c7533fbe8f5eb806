import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { loadApprovalTypeDefs } from '../../subgraphs/approval/createApprovalSubgraph.ts';

function composeWithApproval(): string {
  // Always this tree's schema file, whether or not supergraph.yaml lists the subgraph yet.
  const others = readSupergraphConfig('supergraph.yaml', {}).filter((s) => s.name !== 'approval');
  const approval = { name: 'approval', url: 'http://localhost:4002/graphql', sdl: loadApprovalTypeDefs() };
  const result = composeSupergraph([...others, approval]);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.supergraphSdl;
}

describe('the approval schema', () => {
  it('composes with the other subgraphs and keeps the public contract', () => {
    const sdl = composeWithApproval();
    for (const field of ['me: User', 'approvalCountChanged: ApprovalSummary!', 'approvals: ApprovalSummary!', 'updatedAt: DateTime!']) {
      expect(sdl).toContain(field);
    }
  });

  it('is planned as one fetch to the approval subgraph, for queries and the subscription', () => {
    const supergraph = Supergraph.build(composeWithApproval());
    const planner = new QueryPlanner(supergraph);
    const planOf = (query: string) => planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query))).node;
    expect(planOf('{ me { id approvals { total items { count url system { id name } } } } }')).toMatchObject({ kind: 'Fetch', serviceName: 'approval' });
    expect(planOf('subscription { approvalCountChanged { total } }')).toMatchObject({ kind: 'Subscription', primary: { serviceName: 'approval' } });
  });
});
