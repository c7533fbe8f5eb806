import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/createGateway.ts';
import { postGraphQL, type GraphQLResponse } from '../support/graphqlClient.ts';
import { startCostSubgraph, startEdgeGateway, type CostSubgraph } from '../support/edgeGateway.ts';

const LIMITS = { maxCost: 100, maxDepth: 5, maxTokens: 40, maxAliases: 3, maxDirectives: 3, defaultListSize: 10 };

let subgraph: CostSubgraph;
let gateway: RunningGateway & { graphqlUrl: string };

beforeAll(async () => {
  subgraph = await startCostSubgraph();
  gateway = await startEdgeGateway(subgraph.url, { limits: LIMITS });
});
afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
});

/** Refused with `code` and `message`, and the subgraph never asked. */
async function expectRefused(query: string, code: string, message: RegExp, variables?: Record<string, unknown>): Promise<void> {
  const before = subgraph.calls();
  const response = await postGraphQL(gateway.graphqlUrl, query, variables);
  expect(response.status).toBe(400);
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0]).toMatchObject({ extensions: { code } });
  expect(response.errors![0]!.message).toMatch(message);
  expect(subgraph.calls()).toBe(before);
}

function expectServed(response: GraphQLResponse): void {
  expect(response.errors).toBeUndefined();
  expect(response.status).toBe(200);
}

describe('demand control at the gateway, before any subgraph is called', () => {
  it('serves a list sliced to the cost limit and refuses one item more, naming the figures', async () => {
    expectServed(await postGraphQL(gateway.graphqlUrl, '{ items(first: 100) { id } }'));
    await expectRefused('{ items(first: 101) { id } }', 'COST_LIMIT_EXCEEDED', /^the operation's estimated cost 101 is over the limit of 100;/);
  });

  it('reads the slicing argument from variables', async () => {
    const query = 'query ($n: Int) { items(first: $n) { id } }';
    expectServed(await postGraphQL(gateway.graphqlUrl, query, { n: 100 }));
    await expectRefused(query, 'COST_LIMIT_EXCEEDED', /cost 101 is over/, { n: 101 });
  });

  it('counts a list without @listSize as ten items', async () => {
    // 9 items, each 1 + 10 friends: 99; 10 items: 110.
    expectServed(await postGraphQL(gateway.graphqlUrl, '{ items(first: 9) { friends { id } } }'));
    await expectRefused('{ items(first: 10) { friends { id } } }', 'COST_LIMIT_EXCEEDED', /cost 110 is over the limit of 100/);
  });

  it("sizes a connection's child list by its parent's slicing argument (sizedFields)", async () => {
    // 1 for the page, 99 nodes: 100.
    expectServed(await postGraphQL(gateway.graphqlUrl, '{ page(first: 99) { nodes { id } } }'));
    await expectRefused('{ page(first: 100) { nodes { id } } }', 'COST_LIMIT_EXCEEDED', /cost 101 is over/);
  });

  it('weighs a field by its @cost', async () => {
    expectServed(await postGraphQL(gateway.graphqlUrl, '{ expensive }'));
    await expectRefused('{ expensive items(first: 1) { id } }', 'COST_LIMIT_EXCEEDED', /cost 101 is over/);
  });

  it('refuses an operation nested deeper than the limit', async () => {
    expectServed(await postGraphQL(gateway.graphqlUrl, '{ tree { child { child { child { name } } } } }'));
    await expectRefused(
      '{ tree { child { child { child { child { name } } } } } }',
      'DEPTH_LIMIT_EXCEEDED',
      /^the operation is nested 6 levels deep, over the limit of 5;/,
    );
  });

  it('refuses a document with more tokens than the limit, before parsing the rest', async () => {
    // `{ tree {` and `} }` are 5 tokens, each `name` one more: 35 names make 40.
    const names = (n: number) => `{ tree { ${Array.from({ length: n }, () => 'name').join(' ')} } }`;
    expectServed(await postGraphQL(gateway.graphqlUrl, names(35)));
    await expectRefused(names(36), 'TOKEN_LIMIT_EXCEEDED', /^the operation has more than 40 tokens, over the limit of 40;/);
  });

  it('refuses more aliases than the limit', async () => {
    expectServed(await postGraphQL(gateway.graphqlUrl, '{ a: tree { name } b: tree { name } c: tree { name } }'));
    await expectRefused(
      '{ a: tree { name } b: tree { name } c: tree { name } d: tree { name } }',
      'ALIAS_LIMIT_EXCEEDED',
      /^the operation uses 4 aliases, over the limit of 3;/,
    );
  });

  it('refuses more directives than the limit', async () => {
    const directives = (n: number) => `{ tree { ${'name @include(if: true) '.repeat(n)} } }`;
    expectServed(await postGraphQL(gateway.graphqlUrl, directives(3)));
    await expectRefused(directives(4), 'DIRECTIVE_LIMIT_EXCEEDED', /^the operation uses 4 directives, over the limit of 3;/);
  });
});
