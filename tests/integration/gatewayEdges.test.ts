import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlClient.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

async function post(body: string, contentType = 'application/json') {
  const response = await fetch(system.graphqlUrl, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

describe('gateway health', () => {
  it('is alive and ready once the supergraph is loaded', async () => {
    expect((await fetch(`${system.gatewayUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${system.gatewayUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      supergraph: { id: expect.stringMatching(/^[0-9a-f]{12}$/), subgraphs: expect.arrayContaining(['catalog', 'approval', 'hanbit', 'directory']) },
      rejected: null,
    });
  });
});

describe('the public API beyond search', () => {
  it('answers mall(id) from the directory, null for an unknown mall', async () => {
    const { data } = await postGraphQL<{ hanbit: { name: string; homepage: string }; none: null }>(
      system.graphqlUrl,
      '{ hanbit: mall(id: "hanbit") { id name homepage } none: mall(id: "nope") { id } }',
    );
    expect(data!.hanbit).toEqual({ id: 'hanbit', name: '한빛몰', homepage: 'http://localhost:4100/hanbit/' });
    expect(data!.none).toBeNull();
  });

  it('pages the catalog through the gateway', async () => {
    const { data } = await postGraphQL<{ products: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean }; totalCount: number } }>(
      system.graphqlUrl,
      '{ products(keyword: "airpods", first: 3) { edges { node { id name } } pageInfo { hasNextPage endCursor } totalCount } }',
    );
    expect(data!.products.edges).toHaveLength(3);
    expect(data!.products.pageInfo.hasNextPage).toBe(true);
    expect(data!.products.totalCount).toBe(30);
  });
});

describe('hostile and malformed requests', () => {
  it('refuses a body that is not JSON', async () => {
    const { status, body } = await post('{"query": ');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/not valid JSON/);
  });

  it('refuses an oversized body before parsing it', async () => {
    const { status, body } = await post(JSON.stringify({ query: `{ malls { id } }`, variables: { junk: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(status).toBe(413);
    expect(body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reports a syntax error and an unknown field as GraphQL errors', async () => {
    const syntax = await post(JSON.stringify({ query: '{ malls { id ' }));
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknown = await post(JSON.stringify({ query: '{ malls { id price } }' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.message).toMatch(/Cannot query field "price"/);
  });

  it('refuses an operation that aliases search many times, before crawling anything', async () => {
    const before = await (await fetch(`${system.demoSitesUrl}/__stats`)).json();
    const aliases = Array.from({ length: 50 }, (_, i) => `s${i}: search(keyword: "kw${i}") { cached }`).join(' ');
    const { status, body } = await post(JSON.stringify({ query: `{ malls { ${aliases} } }` }));
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/aliases/i);
    expect(await (await fetch(`${system.demoSitesUrl}/__stats`)).json()).toEqual(before);
  });
});
