/** Reading and rewriting plan nodes for deferred execution. */
import type { PlanNode } from '@apollo/query-planner';

/** The ids of the fetches a plan node runs (those a deferred fragment may depend on). */
export function fetchIds(node: PlanNode | undefined): Set<string> {
  const ids = new Set<string>();
  const walk = (n: PlanNode | undefined): void => {
    if (!n) return;
    if (n.kind === 'Fetch') return void (n.id !== undefined && ids.add(n.id));
    if (n.kind === 'Flatten') return walk(n.node);
    if (n.kind === 'Sequence' || n.kind === 'Parallel') return n.nodes.forEach(walk);
    if (n.kind === 'Condition') return [n.ifClause, n.elseClause].forEach(walk);
  };
  walk(node);
  return ids;
}

/** The node with `mark(id)` run right after each fetch whose id is in `ids` (after its Flatten, so at the root). */
export function afterFetches(node: PlanNode, ids: ReadonlySet<string>, mark: (id: string) => PlanNode): PlanNode {
  const fetch = node.kind === 'Flatten' ? node.node : node;
  if (fetch.kind === 'Fetch' && fetch.id !== undefined && ids.has(fetch.id)) return { kind: 'Sequence', nodes: [node, mark(fetch.id)] };
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return { ...node, nodes: node.nodes.map((n) => afterFetches(n, ids, mark)) };
    case 'Condition':
      return {
        ...node,
        ifClause: node.ifClause && afterFetches(node.ifClause, ids, mark),
        elseClause: node.elseClause && afterFetches(node.elseClause, ids, mark),
      };
    default:
      return node;
  }
}

/** A plan node split into what reads only the item (run per item) and what follows (run per batch). */
export function stages(node: PlanNode | undefined): [PlanNode | undefined, PlanNode | undefined] {
  if (node?.kind !== 'Sequence') return [node, undefined];
  const [head, ...tail] = node.nodes;
  return [head, tail.length === 0 ? undefined : tail.length === 1 ? tail[0] : { kind: 'Sequence', nodes: tail }];
}

/** A Defer node met inside a deferred part (a nested @defer Apollo's executor cannot run) is executed inline. */
export function inlineDefers(node: PlanNode): PlanNode {
  switch (node.kind) {
    case 'Defer':
      return {
        kind: 'Sequence',
        nodes: [
          ...(node.primary.node ? [inlineDefers(node.primary.node)] : []),
          { kind: 'Parallel', nodes: node.deferred.flatMap((d) => (d.node ? [inlineDefers(d.node)] : [])) },
        ],
      };
    case 'Sequence':
    case 'Parallel':
      return { ...node, nodes: node.nodes.map(inlineDefers) };
    case 'Flatten':
      return { ...node, node: inlineDefers(node.node) };
    case 'Condition':
      return { ...node, ifClause: node.ifClause && inlineDefers(node.ifClause), elseClause: node.elseClause && inlineDefers(node.elseClause) };
    default:
      return node;
  }
}
