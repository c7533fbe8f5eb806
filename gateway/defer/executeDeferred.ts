import type { DeferNode, QueryPlan } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { withoutActiveDefers } from './activeDefers.ts';
import { createItemFinder, type Item } from './deferredItems.ts';
import { createDeferredOutput } from './deferredOutput.ts';
import type { SubsequentPayload } from './deferredPayloads.ts';
import { readDeferredRequest } from './deferredRequest.ts';
import { createEarlyStarts } from './earlyStarts.ts';
import { createFirstPayloadGate } from './firstPayloadGate.ts';
import { createFragmentScheduler } from './fragmentScheduler.ts';
import { valueAt } from './rawPaths.ts';
import { runPlan, type Run } from './runPlan.ts';

export type { IncrementalPayload, SubsequentPayload } from './deferredPayloads.ts';

export interface DeferredExecution {
  /** The first payload: everything not deferred. */
  initial: GatewayExecutionResult;
  /** The deferred fragments, one payload per fragment and list item as each is done; empty when none remain. */
  subsequent: AsyncIterableIterator<SubsequentPayload>;
  hasNext: boolean;
}

/**
 * Executes a plan whose top node is a Defer node with Apollo's own plan
 * executor (runPlan): once for the first payload, then per deferred fragment
 * in two stages (Fragment), each run seeded with its items' raw data.
 * Fragments whose dependencies are done start while the first payload runs.
 */
export async function executeDeferred(
  version: SupergraphVersion,
  requestContext: GatewayGraphQLRequestContext,
  plan: QueryPlan & { node: DeferNode },
  options: { signal: AbortSignal; onEnd: () => void },
): Promise<DeferredExecution> {
  const request = readDeferredRequest(version, requestContext);
  const execute = (run: Run) => runPlan({ version, requestContext, rootNames: request.rootNames }, run);
  const itemsBelow = createItemFinder(request);
  const output = createDeferredOutput(options.onEnd);
  const gate = createFirstPayloadGate();
  const { start } = createFragmentScheduler({ execute, itemsBelow, output, gate, signal: options.signal, bare: request.bare });
  const early: Item[] = [];
  const { onFetched, startedEarly } = createEarlyStarts(plan.node, (deferred, live) => {
    const items = itemsBelow([deferred], null, live, (path) => path).map((item) => ({ ...item, early: true }));
    early.push(...items);
    items.forEach(start);
  });
  const first = await execute({
    seed: null,
    node: plan.node.primary.node,
    shape: request.shapeOf(withoutActiveDefers(request.document, request.variables)),
    capture: true,
    onFetched,
  });
  for (const item of early) item.dropped = valueAt(first.result.data, item.clientPath) == null;
  const items = itemsBelow(
    plan.node.deferred.filter((d) => !startedEarly.has(d)),
    first.result,
    first.raw,
    (path) => path,
  );
  const pending = early.filter((item) => !item.dropped).length + items.length;
  gate.open();
  const hasNext = output.open(pending);
  if (hasNext) items.forEach(start);
  return { initial: first.result, subsequent: output.subsequent, hasNext };
}
