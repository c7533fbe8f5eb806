/**
 * Lets identical requests in flight at the same time share one: the first
 * caller's `start()` runs, later callers with the same key wait for it.
 */
export interface RequestSharing<T> {
  run(key: string, start: () => Promise<T>): Promise<T>;
  /** How many shared requests are in flight (for tests). */
  inFlight(): number;
}

export interface RequestSharingOptions<T> {
  /** A copy of the value for every caller but the first: the plan executor merges into what it gets. */
  copy: (value: T) => T;
  /** A failure of its own for every caller, so one caller's handling never shows in another's. */
  copyError: (error: unknown) => unknown;
}

export function createRequestSharing<T>(options: RequestSharingOptions<T>): RequestSharing<T> {
  type Waiter = { resolve: (value: T) => void; reject: (error: unknown) => void };
  const flights = new Map<string, Waiter[]>();
  const settle = (key: string, waiters: Waiter[], outcome: { value: T } | { error: unknown }) => {
    flights.delete(key);
    // Copies are made here, before any caller's continuation can touch the value.
    waiters.forEach((waiter, index) => {
      if ('value' in outcome) waiter.resolve(index === 0 ? outcome.value : options.copy(outcome.value));
      else waiter.reject(index === 0 ? outcome.error : options.copyError(outcome.error));
    });
  };
  return {
    run(key, start) {
      return new Promise<T>((resolve, reject) => {
        const waiting = flights.get(key);
        if (waiting) return void waiting.push({ resolve, reject });
        const waiters: Waiter[] = [{ resolve, reject }];
        flights.set(key, waiters);
        let started: Promise<T>;
        try {
          started = start();
        } catch (error) {
          started = Promise.reject(error);
        }
        started.then(
          (value) => settle(key, waiters, { value }),
          (error: unknown) => settle(key, waiters, { error }),
        );
      });
    },
    inFlight: () => flights.size,
  };
}
