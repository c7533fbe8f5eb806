import type { Product } from '../../subgraphs/catalog/productStore.ts';

/**
 * A deterministic product catalog: the catalog subgraph seeds its database
 * from it and the demo mall sites list (subsets of) it, so offers crawled
 * from the malls carry model codes the catalog knows. Its products are the
 * catalog subgraph's own kind.
 */
export type CatalogProduct = Product;

interface ProductLine {
  brand: string;
  category: string;
  english: string;
  korean: string;
  modelPrefix: string;
  basePrice: number;
}

const LINES: ProductLine[] = [
  { brand: 'Apple', category: 'audio', english: 'AirPods', korean: '에어팟', modelPrefix: 'MQD', basePrice: 199_000 },
  { brand: 'Apple', category: 'phone', english: 'iPhone', korean: '아이폰', modelPrefix: 'MTP', basePrice: 1_290_000 },
  { brand: 'Apple', category: 'tablet', english: 'iPad', korean: '아이패드', modelPrefix: 'MPQ', basePrice: 679_000 },
  { brand: 'Samsung', category: 'phone', english: 'Galaxy', korean: '갤럭시', modelPrefix: 'SM-S', basePrice: 1_155_000 },
  { brand: 'Samsung', category: 'audio', english: 'Galaxy Buds', korean: '갤럭시 버즈', modelPrefix: 'SM-R', basePrice: 179_000 },
  { brand: 'LG', category: 'laptop', english: 'Gram', korean: '그램', modelPrefix: '16Z9', basePrice: 1_890_000 },
  { brand: 'LG', category: 'tv', english: 'OLED TV', korean: '올레드 TV', modelPrefix: 'OLED', basePrice: 2_390_000 },
  { brand: 'Sony', category: 'audio', english: 'WH Headphones', korean: '헤드폰', modelPrefix: 'WH-1000', basePrice: 429_000 },
  { brand: 'Dyson', category: 'appliance', english: 'Vacuum', korean: '무선청소기', modelPrefix: 'SV', basePrice: 899_000 },
  { brand: 'Nintendo', category: 'game', english: 'Switch', korean: '스위치', modelPrefix: 'HEG-S', basePrice: 415_000 },
];

const VARIANTS = ['', 'Pro', 'Max', 'Lite', 'Plus', 'Mini', 'Ultra', 'SE', 'Air', 'Neo'];
const EDITIONS = ['1', '2', '3'];

/** 300 products: 10 lines × 10 variants × 3 editions, always the same. */
export function generateCatalog(): CatalogProduct[] {
  const products: CatalogProduct[] = [];
  LINES.forEach((line, lineIndex) => {
    VARIANTS.forEach((variant, variantIndex) => {
      EDITIONS.forEach((edition, editionIndex) => {
        const n = products.length + 1;
        const variantName = variant ? ` ${variant}` : '';
        const name = `${line.brand} ${line.english}${variantName} ${edition}세대 (${line.korean}${variantName} ${edition})`;
        const model = `${line.modelPrefix}${lineIndex}${variantIndex}${editionIndex}${String.fromCharCode(65 + (n % 26))}KH/A`;
        const listPrice = Math.round((line.basePrice * (1 + variantIndex * 0.08 + editionIndex * 0.05)) / 1000) * 1000;
        products.push({
          id: `p-${String(n).padStart(4, '0')}`,
          model,
          name,
          brand: line.brand,
          category: line.category,
          listPrice,
          keywords: keywordsOf(`${line.brand} ${line.english}${variantName} ${line.korean}${variantName} ${model}`),
        });
      });
    });
  });
  return products;
}

function keywordsOf(text: string): string[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return [...new Set([...words, ...words.map((w, i) => words.slice(i, i + 2).join(''))])];
}

/** Whether a product matches a search keyword (every word of it). */
export function matchesKeyword(product: CatalogProduct, keyword: string): boolean {
  const haystack = `${product.name} ${product.model} ${product.keywords.join(' ')}`.toLowerCase();
  return keyword
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}
