/**
 * Lets identical requests in flight at the same time share one: the first
 * caller's `start()` runs, later callers with the same key wait for it.
 * A caller with a signal (a deferred operation's: its client may leave)
 * stops waiting when it aborts; the shared request itself is cancelled only
 * once every caller has left, so no one else loses it.
 */
export interface RequestSharing<T> {
  run(key: string, start: (signal: AbortSignal | undefined) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** How many shared requests are in flight (for tests). */
  inFlight(): number;
}

export interface RequestSharingOptions<T> {
  /** A copy of the value for every caller but the first: the plan executor merges into what it gets. */
  copy: (value: T) => T;
  /** A failure of its own for every caller, so one caller's handling never shows in another's. */
  copyError: (error: unknown) => unknown;
  /** What a caller whose signal aborted gets; default the signal's reason. */
  leftError?: () => Error;
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
  leave?: () => void;
}

interface Flight<T> {
  /** Callers without a signal never leave, so while one waits the request is never cancelled. */
  waiters: Waiter<T>[];
  /** Null when the first caller could not leave: nothing can cancel it then. */
  abort: AbortController | null;
}

export function createRequestSharing<T>(options: RequestSharingOptions<T>): RequestSharing<T> {
  const flights = new Map<string, Flight<T>>();
  const left = (signal: AbortSignal): Error => options.leftError?.() ?? (signal.reason instanceof Error ? signal.reason : new Error('the caller left'));
  const settle = (key: string, flight: Flight<T>, outcome: { value: T } | { error: unknown }) => {
    if (flights.get(key) === flight) flights.delete(key);
    // Copies are made here, before any caller's continuation can touch the value.
    flight.waiters.forEach((waiter, index) => {
      waiter.leave?.();
      if ('value' in outcome) waiter.resolve(index === 0 ? outcome.value : options.copy(outcome.value));
      else waiter.reject(index === 0 ? outcome.error : options.copyError(outcome.error));
    });
    flight.waiters = [];
  };
  const join = (key: string, flight: Flight<T>, waiter: Waiter<T>, signal: AbortSignal | undefined) => {
    flight.waiters.push(waiter);
    if (!signal) return;
    const onAbort = () => {
      flight.waiters = flight.waiters.filter((w) => w !== waiter);
      waiter.reject(left(signal));
      if (flight.waiters.length > 0) return;
      // The last caller left: later identical requests start afresh.
      if (flights.get(key) === flight) flights.delete(key);
      flight.abort?.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    waiter.leave = () => signal.removeEventListener('abort', onAbort);
  };
  return {
    run(key, start, signal) {
      return new Promise<T>((resolve, reject) => {
        if (signal?.aborted) return void reject(left(signal));
        const waiter: Waiter<T> = { resolve, reject };
        const flying = flights.get(key);
        if (flying) return join(key, flying, waiter, signal);
        const flight: Flight<T> = { waiters: [], abort: signal ? new AbortController() : null };
        flights.set(key, flight);
        join(key, flight, waiter, signal);
        let started: Promise<T>;
        try {
          started = start(flight.abort?.signal);
        } catch (error) {
          started = Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
        started.then(
          (value) => settle(key, flight, { value }),
          (error: unknown) => settle(key, flight, { error }),
        );
      });
    },
    inFlight: () => flights.size,
  };
}
