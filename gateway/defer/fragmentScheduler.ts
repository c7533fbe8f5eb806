import type { Item, ItemsBelow } from './deferredItems.ts';
import type { DeferredOutput } from './deferredOutput.ts';
import { batchPayloads, failedPayload, keepFirstStage, type IncrementalPayload } from './deferredPayloads.ts';
import { batchThisTurn } from './batchThisTurn.ts';
import type { FirstPayloadGate } from './firstPayloadGate.ts';
import { batchSeed, nestAt } from './rawPaths.ts';
import type { OperationContext, Run, RunResult } from './runPlan.ts';

export interface SchedulerParts {
  execute: (run: Run) => Promise<RunResult>;
  itemsBelow: ItemsBelow;
  output: DeferredOutput;
  gate: FirstPayloadGate;
  /** Aborted when the client leaves: nothing more starts. */
  signal: AbortSignal;
  /** What a first stage's result is shaped by. */
  bare: OperationContext;
}

/**
 * Runs deferred items through their two stages (see Fragment): the first on
 * its own as soon as the item is started, the rest with the items of its
 * fragment done in the same turn; then delivers their payloads and starts
 * what is deferred below them.
 */
export function createFragmentScheduler(parts: SchedulerParts): { start(item: Item): void } {
  const { execute, itemsBelow, output, gate, signal } = parts;
  const deliver = (payloads: IncrementalPayload[], below: Item[]) => {
    output.deliver(payloads, below.length);
    below.forEach(start);
  };
  const runRest = (fragment: Item['fragment'], items: Item[]) => {
    const { layout } = fragment;
    const seed = batchSeed(
      layout,
      items.map((i) => i.value),
    );
    execute({ seed, node: fragment.rest, shape: fragment.shape, capture: fragment.deferred.length > 0 }).then(
      ({ result, raw }) => {
        const { payloads, toClientPath } = batchPayloads(items, layout, result);
        deliver(payloads, itemsBelow(fragment.deferred, result, raw, toClientPath));
      },
      (error: unknown) =>
        deliver(
          items.map((item) => failedPayload(item, error)),
          [],
        ),
    );
  };
  const ready = (item: Item) => gate.whenDeliverable(item, () => batchThisTurn(item, runRest, signal));
  const start = (item: Item) => {
    if (signal.aborted) return;
    const { fragment } = item;
    if (!fragment.first) return ready(item);
    execute({ seed: nestAt(fragment.layout.single, item.value), node: fragment.first, shape: parts.bare, capture: true }).then(
      ({ result, raw }) => {
        keepFirstStage(item, result, raw);
        ready(item);
      },
      (error: unknown) => gate.whenDeliverable(item, () => deliver([failedPayload(item, error)], [])),
    );
  };
  return { start };
}
