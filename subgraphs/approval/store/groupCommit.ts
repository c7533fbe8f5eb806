export interface GroupCommitOptions<T, R> {
  /** Items in one commit at most; batches beyond wait for the next one (a batch larger than this is committed alone). */
  maxItems: number;
  /** Stores the items of a group durably; its result goes to every batch of the group. */
  commit(items: readonly T[]): Promise<R>;
}

export interface GroupCommit<T, R> {
  /** Resolves with the result of the commit that stored `batch`, or rejects with its error. */
  submit(batch: readonly T[]): Promise<R>;
}

interface Waiter<T, R> {
  batch: readonly T[];
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * One commit at a time: batches submitted while a commit is under way share
 * the next one, so a thousand concurrent batches cost a few writes, not a
 * thousand. A failed commit rejects the batches of its group and no others.
 */
export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  const waiting: Waiter<T, R>[] = [];
  let committing = false;

  const nextGroup = (): Waiter<T, R>[] => {
    const group: Waiter<T, R>[] = [];
    let size = 0;
    while (waiting.length > 0 && (group.length === 0 || size + waiting[0]!.batch.length <= options.maxItems)) {
      const waiter = waiting.shift()!;
      group.push(waiter);
      size += waiter.batch.length;
    }
    return group;
  };

  /** Every commit's outcome goes to its waiters; it rejects only if the queue itself broke. */
  const drain = async (): Promise<void> => {
    if (committing) return;
    committing = true;
    try {
      while (waiting.length > 0) {
        const group = nextGroup();
        try {
          const result = await options.commit(group.flatMap((waiter) => waiter.batch));
          for (const waiter of group) waiter.resolve(result);
        } catch (error) {
          for (const waiter of group) waiter.reject(error);
        }
      }
    } finally {
      committing = false;
    }
  };

  return {
    submit(batch) {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ batch, resolve, reject });
        drain().catch((error: unknown) => {
          for (const waiter of waiting.splice(0)) waiter.reject(error);
        });
      });
    },
  };
}
