import type { Product } from './productStore.ts';

/** Longest id a cursor may carry (productStore.ts); longer text fields are refused as likely mistakes. */
const LIMITS = { id: 200, model: 100, name: 500, brand: 100, category: 100, keyword: 100, keywords: 50 } as const;
const FIELDS = new Set(['id', 'model', 'name', 'brand', 'category', 'listPrice', 'keywords']);
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A product file that must be refused whole; the message names the line and the field. */
export class ProductFileError extends Error {}

/** A checked product and the line of the file it came from. */
export interface ProductLine {
  line: number;
  product: Product;
}

/**
 * Parses a JSON-lines product file (one product object per line, blank lines
 * ignored) and checks every line before anything is written: the first
 * malformed line refuses the whole file, naming its line number. Keywords are
 * stored lower-case, as searches expect.
 */
export function parseProductLines(text: string): ProductLine[] {
  const products: ProductLine[] = [];
  const lineOfId = new Map<string, number>();
  const lineOfModel = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ProductFileError(`line ${line}: not valid JSON (${(error as Error).message}); write one product object per line`);
    }
    const product = checkProduct(value, line);
    const sameId = lineOfId.get(product.id);
    if (sameId !== undefined) throw new ProductFileError(`line ${line}: id "${product.id}" is also on line ${sameId}; each product appears once`);
    const sameModel = lineOfModel.get(product.model);
    if (sameModel !== undefined)
      throw new ProductFileError(`line ${line}: model "${product.model}" is also on line ${sameModel}; a model belongs to one product`);
    lineOfId.set(product.id, line);
    lineOfModel.set(product.model, line);
    products.push({ line, product });
  });
  if (products.length === 0) throw new ProductFileError('the file has no products; write one JSON object per line');
  return products;
}

function checkProduct(value: unknown, line: number): Product {
  const fail = (message: string): never => {
    throw new ProductFileError(`line ${line}: ${message}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('must be a JSON object with id, model, name, brand, category, listPrice and keywords');
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) fail(`unknown field "${unknown.slice(0, 50)}"; a product has id, model, name, brand, category, listPrice and keywords`);
  const text = (field: 'id' | 'model' | 'name' | 'brand' | 'category'): string => {
    const v = record[field];
    if (typeof v !== 'string' || v.trim() === '') return fail(`${field} must be a non-empty string`);
    if (v.length > LIMITS[field]) fail(`${field} must be at most ${LIMITS[field]} characters, got ${v.length}`);
    if (CONTROL.test(v)) fail(`${field} must not contain control characters`);
    return v;
  };
  const id = text('id');
  if (/\s/.test(id)) fail('id must not contain whitespace');
  const product = { id, model: text('model'), name: text('name'), brand: text('brand'), category: text('category') };
  const listPrice = record.listPrice;
  if (typeof listPrice !== 'number' || !Number.isSafeInteger(listPrice) || listPrice < 0 || listPrice > 2_147_483_647) {
    fail('listPrice must be a whole number of KRW from 0 to 2147483647 (GraphQL Int)');
  }
  const keywords = record.keywords ?? [];
  if (!Array.isArray(keywords)) return fail('keywords must be an array of strings');
  if (keywords.length > LIMITS.keywords) fail(`keywords must have at most ${LIMITS.keywords} entries, got ${keywords.length}`);
  const words = keywords.map((word: unknown, i) => {
    if (typeof word !== 'string' || word.trim() === '' || word.length > LIMITS.keyword || CONTROL.test(word)) {
      return fail(`keywords[${i}] must be a non-empty string of at most ${LIMITS.keyword} characters without control characters`);
    }
    return word.toLowerCase();
  });
  return { ...product, listPrice: listPrice as number, keywords: words };
}
