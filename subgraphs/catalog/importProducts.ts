import { ProductFileError, type ProductLine } from './parseProductLines.ts';
import type { Product, ProductStore } from './productStore.ts';

export interface ImportSummary {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Upserts checked products by id: a product already stored as it is stays
 * untouched, so importing the same file twice changes nothing. A model that
 * another stored product already has refuses the whole file before anything
 * is written (the unique model index would otherwise stop the import halfway).
 */
export async function importProducts(store: ProductStore, lines: readonly ProductLine[]): Promise<ImportSummary> {
  const owners = await store.findByModels(lines.map((l) => l.product.model));
  const ownerOf = new Map(owners.map((p) => [p.model, p.id]));
  for (const { line, product } of lines) {
    const owner = ownerOf.get(product.model);
    if (owner !== undefined && owner !== product.id) {
      throw new ProductFileError(
        `line ${line}: model "${product.model}" belongs to the stored product "${owner}"; give ${product.id} its own model or fix ${owner} first`,
      );
    }
  }
  const stored = new Map((await store.findByIds(lines.map((l) => l.product.id))).map((p) => [p.id, p]));
  const changed = lines.map((l) => l.product).filter((p) => !sameProduct(stored.get(p.id), p));
  const { inserted } = await store.upsertMany(changed);
  return { inserted, updated: changed.length - inserted, unchanged: lines.length - changed.length };
}

function sameProduct(stored: Product | undefined, product: Product): boolean {
  if (!stored) return false;
  return (
    stored.model === product.model &&
    stored.name === product.name &&
    stored.brand === product.brand &&
    stored.category === product.category &&
    stored.listPrice === product.listPrice &&
    stored.keywords.length === product.keywords.length &&
    stored.keywords.every((k, i) => k === product.keywords[i])
  );
}
