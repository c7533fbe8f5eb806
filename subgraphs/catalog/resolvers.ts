import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { GraphQLError } from 'graphql';
import type { ProductLoaders } from './productLoaders.ts';
import { decodeCursor, type Product, type ProductConnection, type ProductStore } from './productStore.ts';

export interface CatalogContext {
  store: ProductStore;
  loaders: ProductLoaders;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_KEYWORD_LENGTH = 200;

interface ProductsArgs {
  keyword?: string | null;
  first?: number | null;
  after?: string | null;
}

/** What the gateway sends for a Product entity: one of the two keys. */
interface ProductReference {
  id?: unknown;
  model?: unknown;
}

function badInput(message: string, argumentName: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argumentName } });
}

/** Checks arguments at the API edge so the store only ever sees sane input. */
export function validateProductsArgs(args: ProductsArgs): { keyword: string | null; first: number; after: string | null } {
  // An explicit null means "no preference", the same as leaving it out.
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}, got ${first}.`, 'first');
  }
  const keyword = args.keyword ?? null;
  if (keyword !== null && keyword.length > MAX_KEYWORD_LENGTH) {
    throw badInput(`keyword must be at most ${MAX_KEYWORD_LENGTH} characters, got ${keyword.length}.`, 'keyword');
  }
  const after = args.after ?? null;
  if (after !== null && decodeCursor(after) === null) throw badInput('after is not a valid cursor', 'after');
  return { keyword, first, after };
}

export const resolvers = {
  Query: {
    product: (_: unknown, args: { id: string }, context: CatalogContext): Promise<Product | null> => context.loaders.byId.load(args.id),
    products: (_: unknown, args: ProductsArgs, context: CatalogContext): Promise<ProductConnection> => context.store.search(validateProductsArgs(args)),
  },
  Product: {
    __resolveReference(reference: ProductReference, context: CatalogContext): Promise<Product | null> | null {
      if (typeof reference.id === 'string') return context.loaders.byId.load(reference.id);
      if (typeof reference.model === 'string') return context.loaders.byModel.load(reference.model);
      return null;
    },
  },
} satisfies GraphQLResolverMap<CatalogContext>;
