export interface PendingChanges {
  /** Keeps ids for the next connection; throws, keeping what fits, once `max` distinct ids wait. */
  hold(userIds: readonly string[]): void;
  /** Every waiting id plus `userIds`, deduplicated; nothing waits afterwards. */
  takeWith(userIds?: readonly string[]): string[];
  readonly size: number;
}

/** Changed users not announced yet because RabbitMQ was unreachable, up to a bound. */
export function createPendingChanges(max: number): PendingChanges {
  const pending = new Set<string>();
  return {
    hold(userIds) {
      for (const userId of userIds) {
        if (pending.size >= max && !pending.has(userId)) {
          throw new Error(
            `RabbitMQ is unreachable and ${max} changed users already wait to be announced; other replicas' live views lag until those users change again`,
          );
        }
        pending.add(userId);
      }
    },
    takeWith(userIds = []) {
      const ids = [...new Set([...pending, ...userIds])];
      pending.clear();
      return ids;
    },
    get size() {
      return pending.size;
    },
  };
}
