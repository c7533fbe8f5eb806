import type { DeferredNode, PlanNode } from '@apollo/query-planner';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import type { GraphQLError } from 'graphql';
import type { DeferredRequest } from './deferredRequest.ts';
import { deferredOperation } from './deferredOperation.ts';
import { stages } from './planRewrites.ts';
import { batchLayout, itemsAt, valueAt, type BatchLayout, type Raw, type ResponsePath } from './rawPaths.ts';
import type { OperationContext } from './runPlan.ts';

/**
 * One deferred fragment as planned. Its items each run `first` (the
 * fetches that read only the item, e.g. the mall's search) on their own,
 * as soon as the item is known; items whose first fetches end in the same
 * turn of the event loop then run `rest` (e.g. the catalog lookup of their
 * offers) and the shaping together, and leave in one payload. No item
 * waits for another that is not done.
 */
export interface Fragment {
  first?: PlanNode;
  rest?: PlanNode;
  deferred: readonly DeferredNode[];
  shape: OperationContext;
  layout: BatchLayout;
  label?: string;
  /** Items whose first fetches are done, waiting for this turn to end. */
  ready: Item[];
}

export interface Item {
  fragment: Fragment;
  /** Its raw data: what the parent fetched, then what `first` added. */
  value: Raw;
  /** Where it is in the client's response. */
  clientPath: ResponsePath;
  /** Errors of its first fetches, at client paths. */
  errors: GraphQLError[];
  /** Started before the first payload was done: delivered only after it, and dropped if its place is not in it. */
  early?: boolean;
  dropped?: boolean;
}

export type ItemsBelow = (
  deferredNodes: readonly DeferredNode[],
  /** Null while it runs: an item is then checked once the result is known. */
  result: GatewayExecutionResult | null,
  raw: Raw,
  toClientPath: (path: ResponsePath) => ResponsePath,
) => Item[];

/** Finds the items of the fragments deferred below a finished run, each fragment planned once per request. */
export function createItemFinder(request: Pick<DeferredRequest, 'operation' | 'fragments' | 'shapeOf'>): ItemsBelow {
  const planned = new Map<DeferredNode, Fragment>();
  const fragmentOf = (deferred: DeferredNode, itemPath: ResponsePath): Fragment => {
    const known = planned.get(deferred);
    if (known) return known;
    const fragment = planFragment(request, deferred, itemPath);
    planned.set(deferred, fragment);
    return fragment;
  };
  // The items found in the run's raw data and present in its result.
  return (deferredNodes, result, raw, toClientPath) =>
    deferredNodes.flatMap((deferred) =>
      itemsAt(raw, deferred.queryPath)
        .filter((found) => !result || valueAt(result.data, found.path) != null)
        .map((found) => ({
          fragment: fragmentOf(deferred, found.path),
          // Its own copy: sibling fragments of one item run at the same time and merge into what they get.
          value: structuredClone(found.value),
          clientPath: toClientPath(found.path),
          errors: [],
        })),
    );
}

function planFragment(request: Pick<DeferredRequest, 'operation' | 'fragments' | 'shapeOf'>, deferred: DeferredNode, itemPath: ResponsePath): Fragment {
  const nested = deferred.node?.kind === 'Defer' ? deferred.node : null;
  const subselection = (nested ? nested.primary.subselection : deferred.subselection) ?? '{}';
  const [first, rest] = stages(nested ? nested.primary.node : deferred.node);
  return {
    first,
    rest,
    deferred: nested ? nested.deferred : [],
    shape: request.shapeOf(deferredOperation(request.operation, request.fragments, deferred.queryPath, subselection)),
    layout: batchLayout(itemPath),
    ...(deferred.label === undefined ? {} : { label: deferred.label }),
    ready: [],
  };
}
