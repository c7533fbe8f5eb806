import type { Item } from './deferredItems.ts';

/** Holds items started before the first payload was done until it is; one whose place is not in it is dropped. */
export interface FirstPayloadGate {
  /** Runs `then` now, or once the first payload is done for an item started early; never for a dropped item. */
  whenDeliverable(item: Pick<Item, 'early' | 'dropped'>, then: () => void): void;
  /** The first payload is done (early items are marked dropped or not by now). */
  open(): void;
}

export function createFirstPayloadGate(): FirstPayloadGate {
  const state = { open: false };
  const { promise: opened, resolve } = withResolvers();
  const whenDeliverable: FirstPayloadGate['whenDeliverable'] = (item, then) => {
    if (item.early && !state.open) return void opened.then(() => whenDeliverable(item, then));
    if (!item.dropped) then();
  };
  return {
    whenDeliverable,
    open() {
      state.open = true;
      resolve();
    },
  };
}

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
