import {
  DAY_MS,
  etagOf,
  keyedManifest,
  knownOperationsOf,
  manifestKey,
  persistedOperations,
  summaryOf,
  type KeyedManifest,
  type UsageRecord,
} from './operationSets.ts';
import type { OperationStore } from './operationStore.ts';

/** Manifests and usage in memory, as operationStore.ts keeps them in the database: for tests without one. */
export function createMemoryOperationStore(usageDays = 7): OperationStore {
  const manifests = new Map<string, KeyedManifest>();
  const usage = new Map<string, UsageRecord>();
  const windowMs = usageDays * DAY_MS;
  const sorted = () => [...manifests.values()].sort((a, b) => a.client.localeCompare(b.client) || a.version.localeCompare(b.version));
  return {
    publish(manifest) {
      const keyed = keyedManifest(structuredClone(manifest));
      manifests.set(keyed.key, keyed);
      return Promise.resolve();
    },
    remove: (client, version) => Promise.resolve(manifests.delete(manifestKey(client, version))),
    manifests: () => Promise.resolve(sorted().map(summaryOf)),
    persisted: () => Promise.resolve({ etag: etagOf([...manifests.values()]), operations: persistedOperations([...manifests.values()]) }),
    persistedEtag: () => Promise.resolve(etagOf([...manifests.values()])),
    recordUsage(entries, at = new Date()) {
      for (const entry of entries) {
        const key = `${entry.id}:${entry.client}`;
        const known = usage.get(key);
        usage.set(key, {
          id: entry.id,
          body: known?.body ?? entry.body,
          client: entry.client,
          name: entry.name,
          count: (known?.count ?? 0) + entry.count,
          lastSeen: at,
        });
      }
      return Promise.resolve();
    },
    knownOperations(now = new Date()) {
      const since = now.getTime() - windowMs;
      return Promise.resolve(
        knownOperationsOf(
          sorted(),
          [...usage.values()].filter((u) => u.lastSeen.getTime() >= since),
        ),
      );
    },
    close: () => undefined,
  };
}
