import type { DeferNode, DeferredNode } from '@apollo/query-planner';
import { fetchIds } from './planRewrites.ts';
import type { Raw } from './rawPaths.ts';
import type { FetchWatch } from './runPlan.ts';

/** A deferred fragment starts as soon as the first payload's fetches it depends on are done, not when all are. */
export interface EarlyStarts {
  /** For the first payload's run: the fetches some fragment waits for. */
  onFetched: FetchWatch;
  /** The fragments started while the first payload ran. */
  startedEarly: ReadonlySet<DeferredNode>;
}

export function createEarlyStarts(defer: DeferNode, startNow: (deferred: DeferredNode, live: Raw) => void): EarlyStarts {
  const primaryIds = fetchIds(defer.primary.node);
  const awaited = new Map(defer.deferred.map((d) => [d, new Set(d.depends.map((dep) => dep.id).filter((id) => primaryIds.has(id)))]));
  const startedEarly = new Set<DeferredNode>();
  return {
    startedEarly,
    onFetched: {
      ids: new Set([...awaited.values()].flatMap((ids) => [...ids])),
      done: (id, live) => {
        for (const [deferred, ids] of awaited) {
          if (!ids.delete(id) || ids.size > 0) continue;
          awaited.delete(deferred);
          startedEarly.add(deferred);
          startNow(deferred, live);
        }
      },
    },
  };
}
