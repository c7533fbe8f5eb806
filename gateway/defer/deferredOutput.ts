import { createPayloadQueue, type PayloadQueue } from './createPayloadQueue.ts';
import type { IncrementalPayload, SubsequentPayload } from './deferredPayloads.ts';

/** The stream of subsequent payloads and the count of deferred items still to come, which ends it at zero. */
export interface DeferredOutput {
  subsequent: PayloadQueue<SubsequentPayload>;
  /** The first payload is done with `pending` items to come; false (and the stream ends) when there are none. */
  open(pending: number): boolean;
  /** One payload for the items done together, and how many items deferred below them are about to start. */
  deliver(payloads: IncrementalPayload[], startingBelow: number): void;
}

/** `onEnd` is called once: after the last payload, or when the client stops reading. */
export function createDeferredOutput(onEnd: () => void): DeferredOutput {
  const state = { pending: 0, ended: false };
  const end = () => {
    if (state.ended) return;
    state.ended = true;
    onEnd();
  };
  const subsequent = createPayloadQueue<SubsequentPayload>({
    merge: (payloads) => ({ incremental: payloads.flatMap((p) => p.incremental), hasNext: payloads[payloads.length - 1]!.hasNext }),
    onClose: end,
  });
  const finish = () => {
    subsequent.end();
    end();
  };
  return {
    subsequent,
    open(pending) {
      state.pending = pending;
      if (pending > 0) return true;
      finish();
      return false;
    },
    deliver(payloads, startingBelow) {
      state.pending += startingBelow - payloads.length;
      subsequent.push({ incremental: payloads, hasNext: state.pending > 0 });
      if (state.pending === 0) finish();
    },
  };
}
