import { MongoBulkWriteError, type Collection, type Db, type Filter, type WriteError } from 'mongodb';

/** A canonical product as stored in the `products` collection. */
export interface Product {
  id: string;
  model: string;
  name: string;
  brand: string;
  category: string;
  /** Manufacturer's list price in KRW. */
  listPrice: number;
  /** Lower-case words a search matches besides name and model. */
  keywords: string[];
}

export interface SearchInput {
  keyword?: string | null;
  first: number;
  /** An `endCursor` from an earlier page. */
  after?: string | null;
}

export interface ProductConnection {
  edges: { cursor: string; node: Product }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface ProductStore {
  ensureIndexes(): Promise<void>;
  /** Inserts the products when the collection is empty; returns how many it inserted. */
  seedIfEmpty(products: readonly Product[]): Promise<number>;
  /** Inserts or replaces each product by id (the import); returns how many were new. */
  upsertMany(products: readonly Product[]): Promise<{ inserted: number; replaced: number }>;
  findByIds(ids: readonly string[]): Promise<Product[]>;
  findByModels(models: readonly string[]): Promise<Product[]>;
  search(input: SearchInput): Promise<ProductConnection>;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('after is not a valid cursor');
  }
}

/** Longest id a cursor may carry; catalog ids are far shorter. */
const MAX_CURSOR_ID_LENGTH = 200;
const DUPLICATE_KEY = 11000;

/** Cursors are opaque to clients: base64url of the last product id on the page. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/**
 * The id inside a cursor this service produced, or null. Node's base64url
 * decoder skips bad characters silently, so a cursor only counts when it
 * re-encodes to exactly itself and holds printable UTF-8.
 */
export function decodeCursor(cursor: string): string | null {
  if (cursor.length === 0 || cursor.length > 4 * MAX_CURSOR_ID_LENGTH) return null;
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor) return null;
  let id: string;
  try {
    id = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (id.length === 0 || id.length > MAX_CURSOR_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(id)) return null;
  return id;
}

/** Makes user text match literally inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Every word of the keyword must appear (case-insensitive, literally) in the
 * name, the model or one of the keywords: the same rule the demo catalog's
 * `matchesKeyword` states. `$regex` is used because FerretDB has no `$text`.
 */
export function keywordFilter(keyword: string | null | undefined): Filter<Product> {
  const words = (keyword ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return {};
  return {
    $and: words.map((word) => {
      const pattern = { $regex: escapeRegex(word), $options: 'i' };
      return { $or: [{ name: pattern }, { model: pattern }, { keywords: pattern }] };
    }),
  };
}

export function createProductStore(db: Db): ProductStore {
  const products: Collection<Product> = db.collection<Product>('products');
  // Never hand Mongo's _id to GraphQL.
  const projection = { _id: 0 } as const;

  return {
    async ensureIndexes() {
      // One command per index: FerretDB 1.24 drops the connection (a panic on
      // its side) when one createIndexes lists several indexes that all exist,
      // which is every start after the first.
      await products.createIndex({ id: 1 }, { name: 'id_unique', unique: true });
      await products.createIndex({ model: 1 }, { name: 'model_unique', unique: true });
    },

    async seedIfEmpty(seed) {
      if (seed.length === 0 || (await products.findOne({}, { projection: { _id: 1 } })) !== null) return 0;
      try {
        // Copies, because insertMany adds _id to the objects it is given.
        const result = await products.insertMany(
          seed.map((p) => ({ ...p })),
          { ordered: false },
        );
        return result.insertedCount;
      } catch (error) {
        // Another replica seeding at the same moment: the unique indexes keep
        // one copy of each product, and that is all seeding has to achieve.
        if (error instanceof MongoBulkWriteError && onlyDuplicates(error)) return error.result.insertedCount;
        throw error;
      }
    },

    async upsertMany(list) {
      if (list.length === 0) return { inserted: 0, replaced: 0 };
      // Copies, because the driver adds _id to the documents it is given.
      const result = await products.bulkWrite(
        list.map((p) => ({ replaceOne: { filter: { id: p.id }, replacement: { ...p }, upsert: true } })),
        { ordered: false },
      );
      return { inserted: result.upsertedCount, replaced: result.matchedCount };
    },

    async findByIds(ids) {
      if (ids.length === 0) return [];
      return products.find({ id: { $in: [...ids] } }, { projection }).toArray();
    },

    async findByModels(models) {
      if (models.length === 0) return [];
      return products.find({ model: { $in: [...models] } }, { projection }).toArray();
    },

    async search({ keyword, first, after }) {
      const filter = keywordFilter(keyword);
      let pageFilter = filter;
      if (after != null) {
        const afterId = decodeCursor(after);
        if (afterId === null) throw new InvalidCursorError();
        pageFilter = { ...filter, id: { $gt: afterId } };
      }
      const [page, totalCount] = await Promise.all([
        // One extra row says whether another page follows.
        products
          .find(pageFilter, { projection })
          .sort({ id: 1 })
          .limit(first + 1)
          .toArray(),
        products.countDocuments(filter),
      ]);
      const nodes = page.slice(0, first);
      const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
      return {
        edges,
        pageInfo: { hasNextPage: page.length > first, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount,
      };
    },
  };
}

function onlyDuplicates(error: MongoBulkWriteError): boolean {
  const writeErrors = ([] as WriteError[]).concat(error.writeErrors);
  return writeErrors.length > 0 && writeErrors.every((e) => e.code === DUPLICATE_KEY);
}
