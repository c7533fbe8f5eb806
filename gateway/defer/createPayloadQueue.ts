/**
 * Payloads produced in any order, read one `next()` at a time. What piles up
 * while the reader is busy goes out together (`merge`), so a slow client
 * gets fewer, larger parts rather than a backlog. `return()` ends the stream
 * early (the client left) and calls `onClose`.
 */
export interface PayloadQueue<T> extends AsyncIterableIterator<T> {
  push(payload: T): void;
  /** No more payloads: the reader gets `done` once it has read what is queued. */
  end(): void;
}

export function createPayloadQueue<T>(options: { merge: (payloads: T[]) => T; onClose: () => void }): PayloadQueue<T> {
  let queued: T[] = [];
  let ended = false;
  let closed = false;
  let waiting: ((result: IteratorResult<T, undefined>) => void) | null = null;
  const done = { done: true, value: undefined } as const;
  const close = () => {
    if (closed) return;
    closed = true;
    queued = [];
    options.onClose();
  };
  const take = (): IteratorResult<T, undefined> | null => {
    if (queued.length > 0) {
      const value = queued.length === 1 ? queued[0]! : options.merge(queued);
      queued = [];
      return { done: false, value };
    }
    return ended || closed ? done : null;
  };
  return {
    push(payload) {
      if (closed || ended) return;
      queued.push(payload);
      const wake = waiting;
      waiting = null;
      // A tick later, so payloads that finish together leave together.
      if (wake) queueMicrotask(() => wake(take() ?? done));
    },
    end() {
      ended = true;
      const wake = waiting;
      waiting = null;
      if (wake) queueMicrotask(() => wake(take() ?? done));
    },
    async next() {
      const ready = take();
      if (ready) {
        if (ready.done) close();
        return ready;
      }
      return new Promise<IteratorResult<T, undefined>>((resolve) => {
        waiting = (result) => {
          if (result.done) close();
          resolve(result);
        };
      });
    },
    async return() {
      close();
      const wake = waiting;
      waiting = null;
      wake?.(done);
      return done;
    },
    async throw(error?: unknown) {
      close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
