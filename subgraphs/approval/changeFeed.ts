/**
 * "These users' approval counts changed": ingestion publishes after a durable
 * write, subscriptions listen per user and re-read the store. Notifications
 * carry no counts on purpose, so a late or repeated one can never show stale
 * data. This in-process feed only reaches subscribers of the same process; a
 * broker-backed feed (RabbitMQ fanout) implements the same interface so every
 * replica hears about every change.
 */
export interface ChangeFeed {
  publish(userIds: readonly string[]): Promise<void>;
  /** Calls `listener` after each change for `userId`; returns the unsubscribe. */
  subscribe(userId: string, listener: () => void): () => void;
  close(): Promise<void>;
}

/** Local listeners per user, shared by every ChangeFeed implementation. */
export interface ChangeListeners {
  add(userId: string, listener: () => void): () => void;
  notify(userIds: readonly string[]): void;
  notifyAll(): void;
  clear(): void;
}

/**
 * A Map of listener sets rather than an EventEmitter: user ids are arbitrary
 * strings, and emitting "error" with no listener throws.
 */
export function createChangeListeners(onListenerError?: (error: unknown) => void): ChangeListeners {
  const listeners = new Map<string, Set<() => void>>();
  const call = (listener: () => void) => {
    // One failing listener must not keep the others from hearing.
    try {
      listener();
    } catch (error) {
      onListenerError?.(error);
    }
  };
  return {
    add(userId, listener) {
      // A wrapper per call, so subscribing the same function twice needs two unsubscribes.
      const entry = () => listener();
      let set = listeners.get(userId);
      if (!set) listeners.set(userId, (set = new Set()));
      set.add(entry);
      return () => {
        set.delete(entry);
        if (set.size === 0 && listeners.get(userId) === set) listeners.delete(userId);
      };
    },
    notify(userIds) {
      for (const userId of new Set(userIds)) for (const listener of [...(listeners.get(userId) ?? [])]) call(listener);
    },
    notifyAll() {
      for (const set of [...listeners.values()]) for (const listener of [...set]) call(listener);
    },
    clear: () => listeners.clear(),
  };
}

/** The in-process feed: only this process's subscribers hear its changes. */
export function createInProcessChangeFeed(options: { onListenerError?: (error: unknown) => void } = {}): ChangeFeed {
  const listeners = createChangeListeners(options.onListenerError);
  return {
    async publish(userIds) {
      listeners.notify(userIds);
    },
    subscribe: (userId, listener) => listeners.add(userId, listener),
    async close() {
      listeners.clear();
    },
  };
}
