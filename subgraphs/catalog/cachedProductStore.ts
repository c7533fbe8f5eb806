import { createTtlCache, type TtlCache } from '../../lib/ttlCache.ts';
import type { Product, ProductStore } from './productStore.ts';

/**
 * Entity lookups served from memory for `ttlMs`: offers name the same few
 * hundred products over and over, and a product's details change rarely.
 * Unknown keys are remembered too (malls list items the catalog lacks).
 * Misses still go to the database in one batched query.
 */
export function cacheProductLookups(store: ProductStore, options: { ttlMs: number; maxEntries?: number }): ProductStore {
  if (options.ttlMs <= 0) return store;
  const settings = { ttlMs: options.ttlMs, maxEntries: options.maxEntries ?? 10_000 };
  const byId = createTtlCache<Product | null>(settings);
  const byModel = createTtlCache<Product | null>(settings);

  const lookup = async (
    keys: readonly string[],
    cache: TtlCache<Product | null>,
    keyOf: (product: Product) => string,
    load: (missing: string[]) => Promise<Product[]>,
  ): Promise<Product[]> => {
    const hits: Product[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const cached = cache.get(key);
      if (cached === undefined) missing.push(key);
      else if (cached !== null) hits.push(cached);
    }
    if (missing.length === 0) return hits;
    const loaded = await load(missing);
    for (const product of loaded) {
      byId.set(product.id, product);
      byModel.set(product.model, product);
    }
    const found = new Set(loaded.map(keyOf));
    for (const key of missing) if (!found.has(key)) cache.set(key, null);
    return [...hits, ...loaded];
  };
  return {
    ...store,
    findByIds: (ids) =>
      lookup(
        ids,
        byId,
        (p) => p.id,
        (missing) => store.findByIds(missing),
      ),
    findByModels: (models) =>
      lookup(
        models,
        byModel,
        (p) => p.model,
        (missing) => store.findByModels(missing),
      ),
  };
}
