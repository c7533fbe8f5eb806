export interface PacedLoop {
  /** Ends the wait in progress, lets a running step finish, and resolves once the loop has stopped. */
  stop(): Promise<void>;
}

/**
 * Runs `step` about every `intervalMs` until stopped. A loop rather than
 * setInterval: a slow step delays the next instead of piling up.
 */
export function startPacedLoop(intervalMs: number, step: () => Promise<void>): PacedLoop {
  let stopped = false;
  let wake: (() => void) | undefined;
  const running = (async () => {
    while (!stopped) {
      const started = Date.now();
      await step();
      if (stopped) break;
      const wait = Math.max(0, intervalMs - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
