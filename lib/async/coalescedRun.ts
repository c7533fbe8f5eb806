/**
 * Runs `run` one at a time. A call during a run waits for the next run, which
 * starts after that call was made, so it sees everything done before the
 * call; all calls during one run share that next run. A failed run rejects
 * its own callers only.
 */
export function createCoalescedRun<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const call = (): Promise<T> => {
    if (!running) {
      running = run().finally(() => (running = null));
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return call();
      });
    return queued;
  };
  return call;
}
