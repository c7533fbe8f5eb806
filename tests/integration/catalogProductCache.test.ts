import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateCatalog } from '../../demo/catalog/generateCatalog.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import type { RunningSubgraph } from '../../lib/subgraph/serveSubgraph.ts';
import { createCatalogSubgraph } from '../../subgraphs/catalog/createCatalogSubgraph.ts';
import { createProductStore } from '../../subgraphs/catalog/productStore.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { createTestDatabase, testMongoUri } from '../support/testDatabase.ts';

const catalog = generateCatalog();
let database: MongoConnection;
let monitored: MongoClient;
let subgraph: RunningSubgraph;
let finds = 0;

beforeAll(async () => {
  database = await createTestDatabase('catalogcache');
  monitored = new MongoClient(testMongoUri(), { monitorCommands: true });
  monitored.on('commandStarted', (event) => {
    if (event.commandName === 'find' && event.command.find === 'products') finds++;
  });
  const db = monitored.db(database.db.databaseName);
  await createProductStore(db).seedIfEmpty(catalog);
  subgraph = await createCatalogSubgraph({ db, port: 0, productCacheTtlMs: 60_000 });
  finds = 0; // seeding looked for existing products
});

afterAll(async () => {
  await subgraph?.close();
  await monitored?.close();
  await database?.close();
});

const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id model name } } }';

it('answers repeated entity lookups from memory, asking the database only for new products', async () => {
  const first = catalog.slice(0, 10).map((p) => ({ __typename: 'Product', model: p.model }));
  const cold = await postGraphQL<{ _entities: Array<{ id: string } | null> }>(subgraph.url, ENTITIES, { r: first });
  expect(cold.data!._entities.map((p) => p?.id)).toEqual(catalog.slice(0, 10).map((p) => p.id));
  expect(finds).toBe(1);

  const warm = await postGraphQL<{ _entities: Array<{ id: string } | null> }>(subgraph.url, ENTITIES, { r: first });
  expect(warm.data!._entities.map((p) => p?.id)).toEqual(catalog.slice(0, 10).map((p) => p.id));
  expect(finds).toBe(1);

  // Found by model, remembered by id too; only the one new product costs a query.
  const mixed = [
    { __typename: 'Product', id: catalog[3]!.id },
    { __typename: 'Product', id: catalog[42]!.id },
  ];
  const next = await postGraphQL<{ _entities: Array<{ model: string } | null> }>(subgraph.url, ENTITIES, { r: mixed });
  expect(next.data!._entities.map((p) => p?.model)).toEqual([catalog[3]!.model, catalog[42]!.model]);
  expect(finds).toBe(2);

  // A model the catalog lacks is remembered as missing, not asked for again.
  const unknown = [{ __typename: 'Product', model: 'NO-SUCH-MODEL' }];
  for (let i = 0; i < 2; i++) {
    const none = await postGraphQL<{ _entities: Array<unknown> }>(subgraph.url, ENTITIES, { r: unknown });
    expect(none.data!._entities).toEqual([null]);
  }
  expect(finds).toBe(3);
});
