import DataLoader from 'dataloader';
import { withSpan } from '../../lib/tracing/tracer.ts';
import type { Product, ProductStore } from './productStore.ts';

export interface ProductLoaders {
  byId: DataLoader<string, Product | null>;
  byModel: DataLoader<string, Product | null>;
}

/**
 * Per-request loaders: every product the gateway asks for in one request
 * (an `_entities` call for a page of offers, say) costs one `$in` query per
 * key kind, not one per product. A product found one way is primed into the
 * other loader so the same request never fetches it twice.
 */
export function createProductLoaders(store: ProductStore): ProductLoaders {
  const loaders: ProductLoaders = {
    byId: new DataLoader(async (ids) => {
      const found = await withSpan('catalog.lookup', { 'gatehouse.catalog.by': 'id', 'gatehouse.catalog.keys': ids.length }, () => store.findByIds(ids));
      for (const product of found) loaders.byModel.prime(product.model, product);
      return inOrder(ids, found, (p) => p.id);
    }),
    byModel: new DataLoader(async (models) => {
      const found = await withSpan('catalog.lookup', { 'gatehouse.catalog.by': 'model', 'gatehouse.catalog.keys': models.length }, () =>
        store.findByModels(models),
      );
      for (const product of found) loaders.byId.prime(product.id, product);
      return inOrder(models, found, (p) => p.model);
    }),
  };
  return loaders;
}

/** DataLoader wants one result per key, in key order; unknown keys are null. */
function inOrder(keys: readonly string[], found: Product[], keyOf: (p: Product) => string): (Product | null)[] {
  const byKey = new Map(found.map((p) => [keyOf(p), p]));
  return keys.map((key) => byKey.get(key) ?? null);
}
