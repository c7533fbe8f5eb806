/**
 * A bounded in-process map whose entries expire: the first tier in front of
 * a database for data that many requests read and that may be a little old.
 */
export interface TtlCache<V> {
  get(key: string): V | undefined;
  /** `ttlMs` overrides the cache's for this entry (an entry that is already part-way old). */
  set(key: string, value: V, ttlMs?: number): void;
  readonly size: number;
}

export function createTtlCache<V>(options: { ttlMs: number; maxEntries: number }): TtlCache<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, ttlMs = options.ttlMs) {
      if (ttlMs <= 0) return;
      entries.delete(key);
      // Map keeps insertion order, so the first key is the oldest entry.
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    },
    get size() {
      return entries.size;
    },
  };
}
