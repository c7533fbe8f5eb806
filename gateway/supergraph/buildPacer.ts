/**
 * Paces a build on the serving thread: after a step that held the thread for
 * d ms, it waits `ratio` × d (at least `minPauseMs`), so the build takes at
 * most 1 / (1 + ratio) of the thread and a request in flight gets through
 * several turns between two steps, not one.
 */
export function createBuildPacer(minPauseMs: number, ratio: number): () => Promise<void> {
  const step = { resumedAt: performance.now() };
  return async () => {
    const heldMs = performance.now() - step.resumedAt;
    await new Promise((resolve) => setTimeout(resolve, Math.max(minPauseMs, heldMs * ratio)));
    step.resumedAt = performance.now();
  };
}
