export interface CoalescedRunner {
  /** Runs the task now, or once more after the run in progress; requests during a run collapse into that one. */
  request(): void;
  /** No more runs; resolves once the run in progress has ended. */
  stop(): Promise<void>;
}

/** One run of `task` at a time: a timer tick and a notice arriving together cost one run, or two when one came mid-run. */
export function createCoalescedRunner(task: () => Promise<void>): CoalescedRunner {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const request = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    // The task reports its own failures; a rejection here must not go unhandled.
    running = task()
      .catch(() => undefined)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          request();
        }
      });
  };
  return {
    request,
    async stop() {
      stopped = true;
      await running;
    },
  };
}
