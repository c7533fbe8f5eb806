/**
 * The four subgraphs of the federation benchmark workload (accounts,
 * inventory, products, reviews): their SDL, as each would publish it, and an
 * executable schema built with @apollo/subgraph over precomputed data.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import type { GraphQLResolverMap } from '../../lib/subgraph/resolverMap.ts';
import { AUTHOR_ID, IN_STOCK, PRODUCTS, REVIEWS, REVIEWS_BY_USER, USERS, type WorkloadReview } from './workloadData.ts';

export const WORKLOAD_SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type WorkloadSubgraphName = (typeof WORKLOAD_SUBGRAPH_NAMES)[number];

const LINK = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [${imports.map((i) => `"${i}"`).join(', ')}])`;

export const WORKLOAD_SDL: Record<WorkloadSubgraphName, string> = {
  accounts: `${LINK(['@key', '@shareable'])}
type Query {
  me: User
  user(id: ID!): User
  users: [User]
}
type User @key(fields: "id") {
  id: ID!
  name: String
  username: String @shareable
  birthday: Int
}
`,
  inventory: `${LINK(['@key', '@external', '@requires'])}
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}
`,
  products: `${LINK(['@key'])}
type Query {
  topProducts(first: Int = 5): [Product]
}
type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}
`,
  reviews: `${LINK(['@key', '@external', '@provides'])}
type Review @key(fields: "id") {
  id: ID!
  body: String
  product: Product
  author: User @provides(fields: "username")
}
type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
}
type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
}
`,
};

const usersById = new Map(USERS.map((user) => [user.id, user]));
const productsByUpc = new Map(PRODUCTS.map((product) => [product.upc, product]));
const reviewsById = new Map(REVIEWS.map((review) => [review.id, review]));
const reviewsByProduct = new Map<string, WorkloadReview[]>();
for (const review of REVIEWS) reviewsByProduct.set(review.productUpc, [...(reviewsByProduct.get(review.productUpc) ?? []), review]);

const RESOLVERS: Record<WorkloadSubgraphName, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => usersById.get(AUTHOR_ID),
      user: (_root: unknown, args: { id: string }) => usersById.get(args.id) ?? null,
      users: () => USERS,
    },
    User: { __resolveReference: (reference: { id: string }) => usersById.get(reference.id) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: (reference: { upc: string; price?: number | null; weight?: number | null }) => ({
        ...reference,
        inStock: IN_STOCK.get(reference.upc) ?? null,
      }),
      // Free shipping above 1000; otherwise half the weight (from the fields it requires).
      shippingEstimate: (product: { price?: number | null; weight?: number | null }) => {
        if (product.price == null) return null;
        if (product.price > 1000) return 0;
        return product.weight == null ? null : Math.floor(product.weight / 2);
      },
    },
  },
  products: {
    Query: { topProducts: (_root: unknown, args: { first: number }) => PRODUCTS.slice(0, args.first) },
    Product: { __resolveReference: (reference: { upc: string }) => productsByUpc.get(reference.upc) ?? null },
  },
  reviews: {
    Review: {
      __resolveReference: (reference: { id: string }) => reviewsById.get(reference.id) ?? null,
      product: (review: WorkloadReview) => ({ upc: review.productUpc }),
      author: () => ({ id: AUTHOR_ID, username: usersById.get(AUTHOR_ID)!.username }),
    },
    User: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      reviews: () => REVIEWS_BY_USER,
    },
    Product: {
      __resolveReference: (reference: { upc: string }) => ({ upc: reference.upc }),
      reviews: (product: { upc: string }) => reviewsByProduct.get(product.upc) ?? [],
    },
  },
};

export function createWorkloadSchema(name: WorkloadSubgraphName): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(WORKLOAD_SDL[name]), resolvers: RESOLVERS[name] });
}
