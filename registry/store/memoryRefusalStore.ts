import { KEPT_REFUSALS, trimmedRefusal, type Refusal, type RefusalStore } from './refusalStore.ts';

/** Refused changes in memory, kept and trimmed as refusalStore.ts keeps them in the database: for tests without one. */
export function createMemoryRefusalStore(): RefusalStore {
  // Newest first.
  let kept: Refusal[] = [];
  return {
    record(refusal) {
      kept = [trimmedRefusal(structuredClone(refusal)), ...kept].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, KEPT_REFUSALS);
      return Promise.resolve();
    },
    recent: (limit = KEPT_REFUSALS) => Promise.resolve(kept.slice(0, Math.min(limit, KEPT_REFUSALS)).map((r) => structuredClone(r))),
  };
}
