import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, GraphQLError, parse, type GraphQLSchema } from 'graphql';
import type { GraphQLResolverMap } from '../../lib/subgraph/resolverMap.ts';

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@interfaceObject"])';

const ACCOUNTS = `${LINK}
type Query { me: User users: [User!]! }
type User @key(fields: "id") { id: ID! name: String! username: String! @shareable }`;

const PRODUCTS = `${LINK}
type Query { topProducts(first: Int = 5): [Product!]! product(upc: String!): Product search(text: String!): [SearchResult!]! }
type Product @key(fields: "upc") { upc: String! name: String! price: Int! weight: Int! }
type Category { id: ID! name: String! products: [Product!]! }
union SearchResult = Product | Category`;

/** `inStock` is non-null as published; the inventory team's server breaks that for one product (below). */
const INVENTORY = (inStock: 'Boolean!' | 'Boolean') => `${LINK}
type Product @key(fields: "upc") { upc: String! weight: Int! @external price: Int! @external inStock: ${inStock} shippingEstimate: Int @requires(fields: "price weight") }`;

const REVIEWS = `${LINK}
type Query { topRatedMedia: [Media!]! }
type Review @key(fields: "id") { id: ID! body: String! translation(language: String!): String author: User! @provides(fields: "username") product: Product! }
type User @key(fields: "id") { id: ID! username: String! @external reviews: [Review!]! }
type Product @key(fields: "upc") { upc: String! reviews(first: Int): [Review!]! }
type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int! reviews: [Review!]! }`;

const MEDIA = `${LINK}
type Query { media: [Media!]! }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! }`;

const users = [
  { id: '1', name: 'Ada Lovelace', username: 'ada' },
  { id: '2', name: 'Alan Turing', username: 'alan' },
];
/** Product 5 is reached only by `product(upc: "5")` and `search(text: "stool")`: the one inventory answers wrongly for. */
const products = [
  { upc: '1', name: 'Table', price: 899, weight: 100 },
  { upc: '2', name: 'Couch', price: 1299, weight: 1000 },
  { upc: '3', name: 'Chair', price: 54, weight: 50 },
  { upc: '4', name: 'Lamp', price: 30, weight: 5 },
  { upc: '5', name: 'Broken stool', price: 10, weight: 3 },
];
const categories = [{ id: 'c1', name: 'Seating', products: ['2', '3'] }];
const reviews = [
  { id: 'r1', body: 'Solid table.', authorId: '1', upc: '1', username: 'ada' },
  { id: 'r2', body: 'Wobbles a bit.', authorId: '2', upc: '1', username: 'alan' },
  { id: 'r3', body: 'Too soft.', authorId: '1', upc: '2', username: 'ada' },
  { id: 'r4', body: 'A classic.', authorId: '2', upc: 'media:m1', username: 'alan' },
];
const media = [
  { __typename: 'Book', id: 'm1', title: 'Sketch of the Analytical Engine', author: 'L. F. Menabrea' },
  { __typename: 'Movie', id: 'm2', title: 'The Imitation Game', director: 'Morten Tyldum' },
];
const ratings: Record<string, number> = { m1: 5, m2: 4 };

type Row = Record<string, unknown>;
const productOf = (upc: string) => products.find((p) => p.upc === upc) ?? null;
const userOf = (id: string) => users.find((u) => u.id === id) ?? null;
const reviewView = (r: (typeof reviews)[number]) => ({ id: r.id, body: r.body, author: { id: r.authorId, username: r.username }, product: { upc: r.upc } });

/** Subgraph name → its published SDL, the SDL it actually executes, and resolvers. */
const DEFINITIONS: Record<string, { sdl: string; executes?: string; resolvers: GraphQLResolverMap<unknown> }> = {
  accounts: {
    sdl: ACCOUNTS,
    resolvers: {
      Query: { me: () => users[0], users: () => users },
      User: { __resolveReference: (ref: { id: string }) => userOf(ref.id) },
    },
  },
  products: {
    sdl: PRODUCTS,
    resolvers: {
      Query: {
        topProducts: (_: unknown, args: { first: number }) => products.slice(0, Math.min(args.first, 4)),
        product: (_: unknown, args: { upc: string }) => {
          // Raised on purpose with a code, so both gateways pass it unmasked.
          if (args.upc === '404') throw new GraphQLError('no product has upc 404', { extensions: { code: 'NOT_FOUND' } });
          return productOf(args.upc);
        },
        search: (_: unknown, args: { text: string }) => [
          ...products.filter((p) => p.name.toLowerCase().includes(args.text)).map((p) => ({ __typename: 'Product', ...p })),
          ...categories.filter((c) => c.name.toLowerCase().includes(args.text)).map((c) => ({ __typename: 'Category', ...c })),
        ],
      },
      Product: { __resolveReference: (ref: { upc: string }) => productOf(ref.upc) },
      Category: { products: (category: { products: string[] }) => category.products.map(productOf) },
    },
  },
  inventory: {
    sdl: INVENTORY('Boolean!'),
    // Executes a nullable inStock, so it can answer null for product 5 as a subgraph not built on graphql-js might: the gateway's own null propagation is what is tested.
    executes: INVENTORY('Boolean'),
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ref,
        inStock: (p: { upc: string }) => (p.upc === '5' ? null : p.upc !== '2'),
        shippingEstimate: (p: { price: number; weight: number }) => (p.price > 1000 ? 0 : Math.round(p.weight / 2)),
      },
    },
  },
  reviews: {
    sdl: REVIEWS,
    resolvers: {
      Query: { topRatedMedia: () => ['m1', 'm2'].map((id) => ({ id })) },
      Review: {
        __resolveReference: (ref: { id: string }) => {
          const review = reviews.find((r) => r.id === ref.id);
          return review ? reviewView(review) : null;
        },
        translation: (review: { body: string }, args: { language: string }) => {
          if (args.language === 'la') throw new GraphQLError('no translation into la', { extensions: { code: 'TRANSLATION_UNAVAILABLE' } });
          return `[${args.language}] ${review.body}`;
        },
      },
      User: { reviews: (user: { id: string }) => reviews.filter((r) => r.authorId === user.id && !r.upc.startsWith('media:')).map(reviewView) },
      Product: {
        reviews: (product: { upc: string }, args: { first?: number }) =>
          reviews
            .filter((r) => r.upc === product.upc)
            .slice(0, args.first ?? undefined)
            .map(reviewView),
      },
      Media: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        rating: (m: { id: string }) => ratings[m.id] ?? 0,
        reviews: (m: { id: string }) => reviews.filter((r) => r.upc === `media:${m.id}`).map(reviewView),
      },
    },
  },
  media: {
    sdl: MEDIA,
    resolvers: {
      Query: { media: () => media },
      Media: {
        __resolveReference: (ref: { id: string }) => media.find((m) => m.id === ref.id) ?? null,
        __resolveType: (m: Row) => m.__typename,
      },
      Book: { __resolveReference: (ref: { id: string }) => media.find((m) => m.id === ref.id) ?? null },
      Movie: { __resolveReference: (ref: { id: string }) => media.find((m) => m.id === ref.id) ?? null },
    },
  },
};

export interface ConformanceSubgraphs {
  /** Each subgraph's name, URL and published SDL, for composition. */
  list: Array<{ name: string; url: string; sdl: string }>;
  /** Stops one subgraph's server: its port refuses connections from now on. */
  stop(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Five small subgraphs on loopback (accounts, products, inventory, reviews,
 * media), each a bare HTTP server running graphql-js on its
 * @apollo/subgraph schema, so their answers are the same whichever gateway
 * asks. Between them: entities across subgraphs, @requires, @provides, an
 * @interfaceObject, a union and an interface, errors raised on purpose and
 * a subgraph that answers null for a non-null field.
 */
export async function startConformanceSubgraphs(): Promise<ConformanceSubgraphs> {
  const servers = new Map<string, Server>();
  const list: ConformanceSubgraphs['list'] = [];
  for (const [name, definition] of Object.entries(DEFINITIONS)) {
    const schema = buildSubgraphSchema({ typeDefs: parse(definition.executes ?? definition.sdl), resolvers: definition.resolvers });
    const server = serveSchema(schema);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.set(name, server);
    list.push({ name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, sdl: definition.sdl });
  }
  const stop = async (name: string) => {
    const server = servers.get(name);
    if (!server) return;
    servers.delete(name);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { list, stop, close: async () => void (await Promise.all([...servers.keys()].map(stop))) };
}

function serveSchema(schema: GraphQLSchema): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; variables?: Record<string, unknown>; operationName?: string };
        const result = await execute({ schema, document: parse(body.query), variableValues: body.variables, operationName: body.operationName });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      };
      answer().catch((error: unknown) =>
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] })),
      );
    });
  });
}
