import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalog, matchesKeyword, type CatalogProduct } from '../../demo/catalog/generateCatalog.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import type { RunningSubgraph } from '../../lib/subgraph/serveSubgraph.ts';
import { createCatalogSubgraph } from '../../subgraphs/catalog/createCatalogSubgraph.ts';
import { createProductStore } from '../../subgraphs/catalog/productStore.ts';
import { createTestDatabase, testMongoUri } from '../support/testDatabase.ts';

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

interface Connection {
  edges: { cursor: string; node: { id: string; name: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

const catalog = generateCatalog();
const expectedIds = (keyword: string) => catalog.filter((p) => matchesKeyword(p, keyword)).map((p) => p.id);

let database: MongoConnection;
// The subgraph runs on its own client with command monitoring, so the test
// can count the queries a request really sends to the database.
let monitored: MongoClient;
let productFinds: CommandStartedEvent[] = [];
let subgraph: RunningSubgraph;

beforeAll(async () => {
  database = await createTestDatabase('catalog');
  monitored = new MongoClient(testMongoUri(), { monitorCommands: true });
  monitored.on('commandStarted', (event) => {
    if (event.commandName === 'find' && event.command.find === 'products') productFinds.push(event);
  });
  const db = monitored.db(database.db.databaseName);
  const store = createProductStore(db);
  await store.ensureIndexes();
  await store.seedIfEmpty(catalog);
  subgraph = await createCatalogSubgraph({ db, port: 0 });
});

afterAll(async () => {
  await subgraph?.close();
  await monitored?.close();
  await database?.close();
});

async function request<T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(subgraph.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

const PRODUCTS = /* GraphQL */ `
  query Products($keyword: String, $first: Int, $after: String) {
    products(keyword: $keyword, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      totalCount
    }
  }
`;

async function products(variables: { keyword?: string; first?: number; after?: string }) {
  return request<{ products: Connection }>(PRODUCTS, variables);
}

async function page(variables: { keyword?: string; first?: number; after?: string }): Promise<Connection> {
  const result = await products(variables);
  expect(result.errors).toBeUndefined();
  return result.data!.products;
}

/** Follows `endCursor` to the last page; returns every id seen and each page's totalCount. */
async function allPages(keyword: string, first: number) {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const connection = await page({ keyword, first, after });
    ids.push(...connection.edges.map((e) => e.node.id));
    totals.push(connection.totalCount);
    if (!connection.pageInfo.hasNextPage) return { ids, totals };
    after = connection.pageInfo.endCursor!;
  }
  throw new Error('pagination never ended');
}

describe('catalog subgraph search', () => {
  it('finds AirPods case-insensitively, five at a time, with the total over all pages', async () => {
    const airpods = expectedIds('airpods');
    expect(airpods).toHaveLength(30);
    const first = await page({ keyword: 'airpods', first: 5 });
    expect(first.edges.map((e) => e.node.id)).toEqual(airpods.slice(0, 5));
    expect(first.edges.every((e) => e.node.name.includes('AirPods'))).toBe(true);
    expect(first.totalCount).toBe(30);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[4]!.cursor });
    expect((await page({ keyword: 'AIRPODS', first: 5 })).totalCount).toBe(30);
  });

  it('pages with after to the end without duplicates or gaps', async () => {
    const { ids, totals } = await allPages('airpods', 7);
    expect(ids).toEqual(expectedIds('airpods'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(totals)).toEqual(new Set([30]));

    const everything = await allPages('', 100);
    expect(everything.ids).toEqual(catalog.map((p) => p.id));
    expect(everything.totals[0]).toBe(300);
  });

  it('matches every word of the keyword, in Korean too, and defaults to 20 per page', async () => {
    const buds = await page({ keyword: 'galaxy buds' });
    expect(buds.totalCount).toBe(expectedIds('galaxy buds').length);
    expect(buds.totalCount).toBeLessThan(expectedIds('galaxy').length);
    expect(buds.edges).toHaveLength(20);
    expect((await page({ keyword: '에어팟' })).totalCount).toBe(30);
  });

  it('treats regex syntax in the keyword literally', async () => {
    for (const hostile of ['(a+)+$', '.*', '[', '\\', '^p-', '$where']) {
      const started = Date.now();
      const result = await page({ keyword: hostile, first: 5 });
      expect(result, hostile).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    // Parentheses that really are in product names still match, literally.
    expect((await page({ keyword: '(에어팟', first: 5 })).totalCount).toBe(expectedIds('(에어팟').length);
    expect(expectedIds('(에어팟')).toHaveLength(30);
  });
});

describe('catalog subgraph input validation', () => {
  it.each([-1, 0, 1000])('refuses first: %i with BAD_USER_INPUT', async (first) => {
    const result = await products({ keyword: 'airpods', first });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe(`first must be between 1 and 100, got ${first}.`);
  });

  it.each(['not a cursor!!', '%%%', '____', 'cC0wMDAxAA'])('refuses after: %s as not a cursor it made', async (after) => {
    const result = await products({ first: 5, after });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe('after is not a valid cursor');
  });

  it('refuses a 10,000-character keyword with a clear message', async () => {
    const result = await products({ keyword: 'a'.repeat(10_000) });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe('keyword must be at most 200 characters, got 10000.');
  });
});

describe('catalog subgraph products and entities', () => {
  const fields = 'id model name brand category listPrice';
  const asReturned = (p: CatalogProduct) => ({
    id: p.id,
    model: p.model,
    name: p.name,
    brand: p.brand,
    category: p.category,
    listPrice: p.listPrice,
  });

  it('returns a product by id, and null for an unknown id', async () => {
    const result = await request<{ known: unknown; unknown: unknown }>(`{ known: product(id: "p-0042") { ${fields} } unknown: product(id: "p-9999") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ known: asReturned(catalog[41]!), unknown: null });
  });

  it('resolves entities by id and by model with one find per key kind, unknown ones as null', async () => {
    const byId = catalog.slice(0, 5);
    const byModel = catalog.slice(100, 105);
    const representations = [
      ...byId.map((p) => ({ __typename: 'Product', id: p.id })),
      { __typename: 'Product', id: 'p-9999' },
      ...byModel.map((p) => ({ __typename: 'Product', model: p.model })),
      { __typename: 'Product', model: 'NO-SUCH-MODEL' },
    ];
    productFinds = [];
    const result = await request<{ _entities: unknown[] }>(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { ${fields} } } }`,
      { representations },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([...byId.map(asReturned), null, ...byModel.map(asReturned), null]);
    expect(productFinds).toHaveLength(2);
    const filters = productFinds
      .map((e) => Object.keys(e.command.filter as object))
      .flat()
      .sort();
    expect(filters).toEqual(['id', 'model']);
  });

  it('looks up fifty products in one database query', async () => {
    const wanted = catalog.slice(200, 250);
    productFinds = [];
    const result = await request<{ _entities: { id: string }[] }>('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }', {
      r: wanted.map((p) => ({ __typename: 'Product', id: p.id })),
    });
    expect(result.data!._entities.map((e) => e.id)).toEqual(wanted.map((p) => p.id));
    expect(productFinds).toHaveLength(1);
  });

  it('seeds only once, so a restart does not duplicate the catalog', async () => {
    const store = createProductStore(monitored.db(database.db.databaseName));
    expect(await store.seedIfEmpty(catalog)).toBe(0);
    expect((await page({ first: 1 })).totalCount).toBe(300);
  });
});
