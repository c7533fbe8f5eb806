/**
 * Joins identical work in flight: while a crawl for a key runs, every other
 * caller for that key waits on the same promise instead of hitting the site.
 */
export interface Coalescer<T> {
  run(key: string, work: () => Promise<T>): Promise<T>;
  /** Whether `run(key, …)` would join work already in flight. */
  has(key: string): boolean;
  readonly inFlight: number;
}

export function createCoalescer<T>(): Coalescer<T> {
  const pending = new Map<string, Promise<T>>();
  return {
    run(key, work) {
      const existing = pending.get(key);
      if (existing) return existing;
      const promise = work().finally(() => pending.delete(key));
      pending.set(key, promise);
      return promise;
    },
    has: (key) => pending.has(key),
    get inFlight() {
      return pending.size;
    },
  };
}
