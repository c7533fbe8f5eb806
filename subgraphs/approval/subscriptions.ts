import { context, type Context } from '@opentelemetry/api';
import { traceHeadersOf } from '../../lib/tracing/traceHeaders.ts';
import { tracer } from '../../lib/tracing/tracer.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { ApprovalSummary } from './summary.ts';

/** Told of live streams, for metrics. */
export interface SubscriptionObserver {
  /** A stream began; the returned function is called once, when it ends. */
  opened(): () => void;
}

/**
 * The stream behind `approvalCountChanged`: the user's current summary at
 * once, then a fresh one after changes. Notifications only mark the summary
 * dirty; one re-read serves a whole burst, and reads run one after another,
 * so a newer summary is never followed by an older one. A re-read that equals
 * what was last sent is skipped. `onTraced` hears, before each summary is
 * yielded, the trace headers of its push (none when the change was not traced),
 * so the push can carry them to the subscriber.
 *
 * Hand-written rather than an async generator: a generator waiting inside
 * `await` cannot be returned until it wakes, so an unsubscribing client would
 * stay registered until that user's next change.
 */
export function summaryStream(
  userId: string,
  changeFeed: ChangeFeed,
  read: () => Promise<ApprovalSummary>,
  observer?: SubscriptionObserver,
  onTraced?: (headers: Record<string, string> | undefined) => void,
): AsyncIterableIterator<ApprovalSummary> {
  let dirty = true;
  let finished = false;
  let lastKey: string | undefined;
  let wake: (() => void) | undefined;
  // The trace of the change that made the summary dirty: its push joins that trace.
  let changedIn: Context | undefined;
  const signal = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  // Listen before the first read so no change between the two is missed.
  const unsubscribe = changeFeed.subscribe(userId, () => {
    dirty = true;
    changedIn = context.active();
    signal();
  });
  const ended = observer?.opened();
  const finish = () => {
    if (finished) return;
    finished = true;
    unsubscribe();
    ended?.();
    signal();
  };
  const done = (): IteratorReturnResult<undefined> => ({ value: undefined, done: true });

  return {
    async next(): Promise<IteratorResult<ApprovalSummary, undefined>> {
      while (!finished) {
        if (!dirty) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        dirty = false;
        const span = changedIn ? tracer.startSpan('approval.push', {}, changedIn) : undefined;
        changedIn = undefined;
        let summary: ApprovalSummary;
        try {
          summary = await read();
        } catch (error) {
          span?.end();
          finish();
          throw error;
        }
        if (finished) {
          span?.end();
          break;
        }
        const key = summaryKey(summary);
        span?.setAttribute('gatehouse.push.sent', key !== lastKey);
        span?.end();
        if (key === lastKey) continue;
        lastKey = key;
        onTraced?.(span ? traceHeadersOf(span) : undefined);
        return { value: summary, done: false };
      }
      return done();
    },
    async return() {
      finish();
      return done();
    },
    async throw(error: unknown) {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function summaryKey(summary: ApprovalSummary): string {
  return summary.items.map((item) => `${item.system.id}:${item.count}:${item.updatedAt.getTime()}`).join(',');
}
