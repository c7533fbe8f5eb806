import type { Fragment, Item } from './deferredItems.ts';

/**
 * Queues an item whose first stage is done so that the items of its
 * fragment done by the end of this turn run their rest together (a
 * zero-length window: none waits for a slower one). A fragment not under a
 * list has one item, which runs at once. Nothing runs once `signal` aborts.
 */
export function batchThisTurn(item: Item, run: (fragment: Fragment, items: Item[]) => void, signal: AbortSignal): void {
  const { fragment } = item;
  if (fragment.layout.at === -1) return run(fragment, [item]);
  fragment.ready.push(item);
  if (fragment.ready.length === 1) {
    setImmediate(() => {
      const items = fragment.ready;
      fragment.ready = [];
      if (!signal.aborted) run(fragment, items);
    });
  }
}
