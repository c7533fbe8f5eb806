export interface Closable {
  close(): Promise<void>;
}

export interface ConnectionLifecycle<C extends Closable> {
  readonly closed: boolean;
  /** The connection now in use: `close()` closes it. */
  adopt(connection: C): void;
  /** That connection ended or was given up; `close()` leaves it alone. */
  release(connection: C): void;
  /** Waits `ms`, or less once `close()` is called. */
  sleep(ms: number): Promise<void>;
  /** Closed for good: a wait in progress ends now, the connection in use is closed (its errors ignored). */
  close(): Promise<void>;
}

/** Whether a kept connection is closed for good, which connection it uses now, and the wait between attempts that closing cuts short. */
export function createConnectionLifecycle<C extends Closable>(): ConnectionLifecycle<C> {
  let closed = false;
  let current: C | undefined;
  const sleepers = new Set<() => void>();
  return {
    get closed() {
      return closed;
    },
    adopt(connection) {
      current = connection;
    },
    release(connection) {
      if (current === connection) current = undefined;
    },
    sleep(ms) {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        sleepers.add(wake);
      });
    },
    async close() {
      closed = true;
      for (const wake of [...sleepers]) wake();
      await current?.close().catch(() => undefined);
    },
  };
}
