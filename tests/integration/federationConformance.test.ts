import { composeServices } from '@apollo/composition';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type RunningGateway } from '../../gateway/createGateway.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { startConformanceSubgraphs, type ConformanceSubgraphs } from '../support/conformanceSubgraphs.ts';
import { maskedLikeGatehouse, withMaskIdsHidden } from '../support/vanillaBody.ts';
import { waitFor } from '../support/waitFor.ts';
import { silentLogger as quiet } from '../support/logs.ts';

/*
 * The same operations through Gatehouse's gateway (in this process) and
 * vanilla Apollo Gateway in @apollo/server (its own process, so none of our
 * engine changes, such as flattenReexports, reach it), over HTTP, on the
 * same subgraphs: the response bodies must be equal byte for byte.
 */
let dir: string;
let subgraphs: ConformanceSubgraphs;
let gatehouse: RunningGateway;
let vanilla: ServiceProcess;
let vanillaUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-conformance-'));
  subgraphs = await startConformanceSubgraphs();
  const composed = composeServices(subgraphs.list.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (composed.errors) throw new Error(`the conformance subgraphs do not compose: ${composed.errors.map((e) => e.message).join('; ')}`);
  const supergraphSdl = composed.supergraphSdl;
  writeFileSync(join(dir, 'supergraph.graphql'), supergraphSdl);

  const port = await freePort();
  vanillaUrl = `http://127.0.0.1:${port}/`;
  vanilla = await spawnService(
    { name: 'vanilla', entry: 'bench/vanilla/main.ts', env: { SUPERGRAPH_PATH: join(dir, 'supergraph.graphql'), PORT: String(port) } },
    { logs: { logDir: dir } },
  );
  await waitFor(
    'vanilla Apollo Gateway to answer',
    () =>
      post(vanillaUrl, { query: '{ __typename }' })
        .then((r) => r.status === 200)
        .catch(() => false),
    30_000,
  );

  gatehouse = await createGateway({
    supergraph: { initialize: async () => ({ supergraphSdl }) },
    log: quiet,
    subgraphDeadlineMs: 5000,
    jwtSecret: 'conformance',
    identity: { forward: async () => undefined, jwks: { keys: [] } },
    // Vanilla has no edge limits; none of these operations is abusive, so ours are off rather than each one tuned under them.
    edge: {
      limits: { maxAliases: 0, maxDepth: 0, maxDirectives: 0, maxTokens: 0, maxCost: 0, defaultListSize: 10 },
      rateLimits: { windowSeconds: 1, perClient: 100_000, perUser: 100_000 },
      corsOrigins: [],
    },
  });
});
afterAll(async () => {
  await gatehouse?.close();
  await vanilla?.stop();
  await subgraphs?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

async function post(url: string, operation: Operation): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(operation) });
  return { status: response.status, body: await response.text() };
}

/** Sends the operation to both gateways at once. */
async function askBoth(operation: Operation): Promise<{ ours: { status: number; body: string }; theirs: { status: number; body: string } }> {
  const [ours, theirs] = await Promise.all([post(`${gatehouse.url}/graphql`, operation), post(vanillaUrl, operation)]);
  return { ours, theirs };
}

/** Sends the operation to both gateways; their statuses and bodies must be equal. Returns the body, for a sanity check. */
async function expectSameAsVanilla(operation: Operation): Promise<Record<string, unknown>> {
  const { ours, theirs } = await askBoth(operation);
  expect(withMaskIdsHidden(ours.body)).toBe(maskedLikeGatehouse(theirs.body));
  expect(ours.status).toBe(theirs.status);
  return JSON.parse(ours.body) as Record<string, unknown>;
}

/** The body re-serialised without its `errors`, key order kept: the same function on both sides, so equal data stays equal bytes. */
function withoutErrors(body: string): string {
  const { errors: _errors, ...rest } = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify(rest);
}

describe('federation through Gatehouse answers byte for byte what vanilla Apollo Gateway answers', () => {
  it('entities across three subgraphs', async () => {
    const body = await expectSameAsVanilla({
      query: '{ topProducts { upc name price inStock reviews { id body author { id name } } } users { id name reviews { id product { upc name inStock } } } }',
    });
    expect(body).toMatchObject({
      data: { topProducts: [{ upc: '1', name: 'Table', inStock: true, reviews: [{ id: 'r1', author: { name: 'Ada Lovelace' } }, { id: 'r2' }] }, {}, {}, {}] },
    });
  });

  it('@requires', async () => {
    const body = await expectSameAsVanilla({ query: '{ topProducts(first: 3) { upc shippingEstimate } product(upc: "2") { name shippingEstimate inStock } }' });
    expect(body).toMatchObject({ data: { topProducts: [{ shippingEstimate: 50 }, { shippingEstimate: 0 }, { shippingEstimate: 25 }] } });
  });

  it('@provides', async () => {
    const body = await expectSameAsVanilla({
      query: '{ topProducts(first: 2) { reviews { author { username } } } me { username reviews { author { username name } } } }',
    });
    expect(body).toMatchObject({ data: { me: { username: 'ada' } } });
  });

  it('@interfaceObject', async () => {
    const body = await expectSameAsVanilla({
      query: '{ media { id title rating reviews { body } ... on Book { author } } topRatedMedia { id title rating ... on Movie { director } } }',
    });
    expect(body).toMatchObject({
      data: {
        media: [
          { id: 'm1', rating: 5, author: 'L. F. Menabrea', reviews: [{ body: 'A classic.' }] },
          { id: 'm2', rating: 4 },
        ],
      },
    });
  });

  it('abstract types and fragments', async () => {
    const body = await expectSameAsVanilla({
      query: `query Abstract {
        search(text: "a") { ...ProductBits ... on Category { id name products { ...ProductBits } } }
        media { ...MediaBits ... on Movie { director } }
      }
      fragment ProductBits on Product { upc name inStock reviews { ... on Review { body } } }
      fragment MediaBits on Media { id title ... on Book { author } ... on Media { rating } }`,
    });
    expect(body).toMatchObject({ data: { search: [{ upc: '1' }, { upc: '3' }, { upc: '4' }, { id: 'c1' }] } });
  });

  it('aliases', async () => {
    const body = await expectSameAsVanilla({
      query: `{
        cheap: topProducts(first: 1) { id: upc title: name stock: inStock ship: shippingEstimate one: reviews(first: 1) { text: body } all: reviews { text: id } }
        more: topProducts(first: 2) { upc name inStock: shippingEstimate }
        first: product(upc: "1") { name } second: product(upc: "2") { name: price }
      }`,
    });
    expect(body).toMatchObject({
      data: { cheap: [{ id: '1', title: 'Table', stock: true, one: [{ text: 'Solid table.' }] }], first: { name: 'Table' }, second: { name: 1299 } },
    });
  });

  it('@skip and @include with variables', async () => {
    const query = `query Flags($reviews: Boolean!, $noPrice: Boolean!, $stock: Boolean = true) {
      topProducts(first: 2) {
        name
        price @skip(if: $noPrice)
        inStock @include(if: $stock)
        reviews @include(if: $reviews) { body author @skip(if: $noPrice) { name } }
        ... on Product @include(if: $reviews) { shippingEstimate }
      }
    }`;
    for (const variables of [
      { reviews: true, noPrice: false },
      { reviews: false, noPrice: true, stock: false },
      { reviews: true, noPrice: true, stock: null },
    ]) {
      await expectSameAsVanilla({ query, variables });
    }
  });

  it('null propagation through non-null fields', async () => {
    // Inventory answers inStock: null for product 5: the gateway nulls the nearest nullable parent.
    const nested = await expectSameAsVanilla({ query: '{ topProducts(first: 1) { name } product(upc: "5") { name inStock } }' });
    // Apollo's gateway reports its own value completion under extensions, not errors; equal bytes keep it so.
    expect(nested).toMatchObject({
      data: { topProducts: [{ name: 'Table' }], product: null },
      extensions: { valueCompletion: [{ path: ['product', 'inStock'] }] },
    });
    // Through [SearchResult!]! to the root: data itself is null.
    const root = await expectSameAsVanilla({ query: '{ search(text: "stool") { ... on Product { name inStock } } }' });
    expect(root).toMatchObject({ data: null });
  });

  it('errors with their paths', async () => {
    const body = await expectSameAsVanilla({
      query:
        '{ topProducts(first: 2) { name reviews { id en: translation(language: "en") la: translation(language: "la") } } missing: product(upc: "404") { name } }',
    });
    expect(body).toMatchObject({ errors: [{ path: ['missing'] }, { path: ['topProducts', 0, 'reviews', 0, 'la'] }, {}, {}] });
  });

  it('__typename everywhere', async () => {
    const body = await expectSameAsVanilla({
      query: `{
        __typename
        topProducts(first: 2) { __typename upc reviews { __typename author { __typename username } } }
        search(text: "seat") { __typename ... on Category { __typename products { __typename inStock } } }
        media { __typename ... on Book { __typename } }
        topRatedMedia { __typename id }
        me { __typename }
      }`,
    });
    expect(body).toMatchObject({ data: { __typename: 'Query', topRatedMedia: [{ __typename: 'Book' }, { __typename: 'Movie' }] } });
  });

  // Last: the inventory subgraph is stopped for good.
  it('a subgraph down mid-plan', async () => {
    await subgraphs.stop('inventory');
    const { ours, theirs } = await askBoth({ query: '{ topProducts(first: 2) { name shippingEstimate reviews { body } } }' });
    // The data is equal byte for byte; the errors differ on purpose (README, "The query engine"): Gatehouse's data
    // source fails each entity it was asked for, pathed, as SUBGRAPH_UNAVAILABLE without the address, where vanilla
    // gives one pathless error carrying node-fetch's message with the subgraph's address.
    expect(withoutErrors(ours.body)).toBe(withoutErrors(theirs.body));
    expect(ours.status).toBe(theirs.status);
    expect(JSON.parse(ours.body)).toMatchObject({ data: { topProducts: [{ name: 'Table', shippingEstimate: null, reviews: [{}, {}] }, {}] } });
    const unavailable = {
      message: 'subgraph "inventory" failed (ECONNREFUSED); its part of the result is missing',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'inventory' },
    };
    expect(JSON.parse(ours.body).errors).toEqual([
      { ...unavailable, path: ['topProducts', 0] },
      { ...unavailable, path: ['topProducts', 1] },
    ]);
    expect(JSON.parse(theirs.body).errors).toEqual([{ message: expect.stringContaining('ECONNREFUSED'), extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  });
});
