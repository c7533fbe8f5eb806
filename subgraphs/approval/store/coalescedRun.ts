/**
 * Runs `run` one at a time. A call during a run waits for the next run, which
 * starts after that call was made, so it sees everything done before the
 * call; all calls during one run share that next run. A failed run rejects
 * its own callers only.
 */
export function createCoalescedRun(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const call = (): Promise<void> => {
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
