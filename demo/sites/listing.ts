/**
 * What each demo mall sells: most catalog products (each mall leaves a few
 * out and prices the rest its own way) plus a few mall-only items, so crawled
 * offers mostly carry model codes the catalog knows, and some do not.
 */
import { generateCatalog, matchesKeyword, type CatalogProduct } from '../catalog/generateCatalog.ts';

export type MallId = 'hanbit' | 'daehan' | 'sejong' | 'minguk';
export const MALL_IDS: readonly MallId[] = ['hanbit', 'daehan', 'sejong', 'minguk'];
/**
 * The sites the default system crawls. `minguk` has no mall subgraph: it is
 * there to scaffold one against (`gatehouse mall new`).
 */
export const SYSTEM_MALL_IDS: readonly MallId[] = ['hanbit', 'daehan', 'sejong'];

export interface Listing {
  /** The mall's own goods number, unique within the mall. */
  no: number;
  /** Catalog product name, or the mall-only item's name. */
  name: string;
  brand: string;
  /** `Apple AirPods Pro 2세대` — the name without its Korean part. */
  englishName: string;
  /** `에어팟 Pro 2` — the Korean part. */
  koreanName: string;
  /** Null for items the mall sells without a model code. */
  model: string | null;
  price: number;
  /** The catalog list price (or a made-up one), shown struck out by some malls. */
  listPrice: number;
  /** Null for mall-only items. */
  catalogId: string | null;
  /** Deterministic stand-in for sales rank. */
  popularity: number;
}

interface MallStock {
  goodsBase: number;
  /** Mall order when showing results: each mall sorts its own way. */
  order: (a: Listing, b: Listing) => number;
}

const STOCK: Record<MallId, MallStock> = {
  // 추천순: catalog order
  hanbit: { goodsBase: 100_000, order: (a, b) => a.no - b.no },
  // 최신순: newest (highest number) first
  daehan: { goodsBase: 5_000, order: (a, b) => b.no - a.no },
  // 인기순
  sejong: { goodsBase: 700_000, order: (a, b) => b.popularity - a.popularity || a.no - b.no },
  // 낮은가격순
  minguk: { goodsBase: 300_000, order: (a, b) => a.price - b.price || a.no - b.no },
};

/** FNV-1a: a stable hash so listings and prices never change between runs. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

interface Searchable {
  listing: Listing;
  product: CatalogProduct;
}

const inventories = new Map<MallId, Searchable[]>();

function inventory(mall: MallId): Searchable[] {
  let stock = inventories.get(mall);
  if (!stock) {
    stock = buildInventory(mall);
    inventories.set(mall, stock);
  }
  return stock;
}

function splitName(name: string): { englishName: string; koreanName: string } {
  const match = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(name);
  return match ? { englishName: match[1] ?? name, koreanName: match[2] ?? name } : { englishName: name, koreanName: name };
}

function buildInventory(mall: MallId): Searchable[] {
  const { goodsBase } = STOCK[mall];
  const catalog = generateCatalog();
  const stock: Searchable[] = [];
  catalog.forEach((product, index) => {
    const hash = stableHash(`${mall}:${product.id}`);
    if (hash % 100 >= 80) return; // each mall lists about 80% of the catalog
    const factor = 0.88 + ((hash >>> 8) % 17) / 100;
    stock.push({
      product,
      listing: {
        no: goodsBase + index + 1,
        name: product.name,
        brand: product.brand,
        ...splitName(product.name),
        model: product.model,
        price: Math.round((product.listPrice * factor) / 100) * 100,
        listPrice: product.listPrice,
        catalogId: product.id,
        popularity: (hash >>> 16) % 1000,
      },
    });
  });
  stock.push(...mallOnlyItems(mall, catalog, goodsBase));
  return stock;
}

/** Per product line (30 consecutive catalog entries): a case without a model code and a refurbished unit with an unknown one. */
function mallOnlyItems(mall: MallId, catalog: CatalogProduct[], goodsBase: number): Searchable[] {
  const items: Searchable[] = [];
  for (let line = 0; line * 30 < catalog.length; line++) {
    const first = catalog[line * 30];
    if (!first) break;
    const match = /^(.+?) \d+세대 \((.+?) \d+\)$/.exec(first.name);
    const english = match?.[1] ?? first.brand;
    const korean = match?.[2] ?? first.brand;
    const mallCode = mall.charAt(0).toUpperCase();
    const variants = [
      { english: `${english} 호환 실리콘 케이스`, korean: `${korean} 호환 케이스`, model: null, price: 15_900 + (line % 4) * 3_000 },
      {
        english: `${english} 리퍼비시 정품`,
        korean: `${korean} 리퍼 정품`,
        model: `RFB-${line}${mallCode}${10 + line}`,
        price: Math.round((first.listPrice * 0.7) / 1000) * 1000,
      },
    ];
    variants.forEach((variant, k) => {
      const name = `${variant.english} (${variant.korean})`;
      const hash = stableHash(`${mall}:${name}`);
      const listing: Listing = {
        no: goodsBase + 1000 + line * 2 + k + 1,
        name,
        brand: first.brand,
        englishName: variant.english,
        koreanName: variant.korean,
        model: variant.model,
        price: variant.price,
        listPrice: Math.round((variant.price * 1.15) / 100) * 100,
        catalogId: null,
        popularity: hash % 1000,
      };
      // Shaped like a catalog product so the catalog's own keyword matching applies.
      const product: CatalogProduct = {
        id: `${mall}-only-${listing.no}`,
        model: variant.model ?? '',
        name,
        brand: first.brand,
        category: first.category,
        listPrice: listing.listPrice,
        keywords: `${variant.english} ${variant.korean}`.toLowerCase().split(/\s+/),
      };
      items.push({ listing, product });
    });
  }
  return items;
}

/** Everything the mall lists for a keyword, in the mall's own order. */
export function searchListings(mall: MallId, keyword: string): Listing[] {
  if (!keyword.trim()) return [];
  return inventory(mall)
    .filter((entry) => matchesKeyword(entry.product, keyword))
    .map((entry) => entry.listing)
    .sort(STOCK[mall].order);
}

export function findListing(mall: MallId, no: number): Listing | undefined {
  return inventory(mall).find((entry) => entry.listing.no === no)?.listing;
}

export interface PageSlice<T> {
  items: T[];
  page: number;
  totalPages: number;
  total: number;
  hasNext: boolean;
}

/** Pages past the end come back empty, as real malls show them. */
export function paginate<T>(all: T[], page: number, pageSize: number): PageSlice<T> {
  const totalPages = Math.ceil(all.length / pageSize);
  const start = (page - 1) * pageSize;
  return {
    items: all.slice(start, start + pageSize),
    page,
    totalPages,
    total: all.length,
    hasNext: page < totalPages,
  };
}
