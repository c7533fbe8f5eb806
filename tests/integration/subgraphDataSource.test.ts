import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parse } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityForwarding } from '../../gateway/auth/createIdentityForwarding.ts';
import { SubgraphDataSource } from '../../gateway/dataSources/SubgraphDataSource.ts';
import { createAssertionSigner, generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import { startHeldSubgraph, type HeldSubgraph } from '../support/heldSubgraph.ts';
import { waitFor } from '../support/waitFor.ts';

const STOCK = 'query Stock__stock__0 { stock(sku: "1") { sku count tags } whoami }';
const ENTITIES = 'query Stock__stock__1($representations: [_Any!]!) { _entities(representations: $representations) { ... on Stock { count } } }';
const RESERVE = 'mutation Reserve__stock__0 { reserve(sku: "1") }';

/** What @apollo/gateway's plan executor hands a data source for one fetch of a client's operation. */
function fetchFor(
  userId: string | null,
  query: string,
  operation: 'query' | 'mutation' = 'query',
  variables: Record<string, unknown> = {},
): GraphQLDataSourceProcessOptions {
  return {
    kind: 'incoming operation',
    request: { query, variables },
    incomingRequestContext: { operation: { kind: 'OperationDefinition', operation }, context: { userId } },
    context: { userId },
    document: parse(query),
  } as unknown as GraphQLDataSourceProcessOptions;
}

let subgraph: HeldSubgraph;
const sources: SubgraphDataSource[] = [];
let forward: ReturnType<typeof createIdentityForwarding>;

beforeAll(async () => {
  subgraph = await startHeldSubgraph();
  forward = createIdentityForwarding(await createAssertionSigner((await generateAssertionKeys()).privateKeyPem), new Set(['stock']));
});
afterEach(async () => {
  subgraph.mode = 'answer';
  subgraph.release();
  subgraph.requests.length = 0;
  await Promise.all(sources.splice(0).map((source) => source.close()));
});
afterAll(async () => {
  await subgraph.close();
});

function dataSource(deadlineMs = 5_000): SubgraphDataSource {
  const source = new SubgraphDataSource({ name: 'stock', url: subgraph.url, deadlineMs, identity: forward });
  sources.push(source);
  return source;
}

describe('subgraph requests in flight at the same time', () => {
  it('are one request for the same user asking the same thing, each caller getting a copy of its own', async () => {
    const source = dataSource();
    subgraph.mode = 'hold';
    const answers = Promise.all([source.process(fetchFor('u-1', STOCK)), source.process(fetchFor('u-1', STOCK))]);
    await waitFor('the subgraph to be asked', () => subgraph.waiting() === 1);
    subgraph.release();
    const [first, second] = await answers;
    expect(subgraph.requests).toHaveLength(1);
    expect(second).toEqual(first);
    // The plan executor merges into what it gets: one caller's changes never show in another's.
    (first.data!.stock as { tags: string[] }).tags.push('merged');
    expect((second.data!.stock as { tags: string[] }).tags).toEqual(['a', 'b']);
  });

  it('are separate requests for two users, each with its own identity', async () => {
    const source = dataSource();
    subgraph.mode = 'hold';
    const answers = Promise.all([source.process(fetchFor('u-1', STOCK)), source.process(fetchFor('u-2', STOCK))]);
    await waitFor('both users to reach the subgraph', () => subgraph.waiting() === 2);
    subgraph.release();
    const [first, second] = await answers;
    expect(subgraph.requests).toHaveLength(2);
    expect(first.data!.whoami).not.toEqual(second.data!.whoami);
    expect(new Set(subgraph.requests.map((r) => r.headers.authorization)).size).toBe(2);
  });

  it('are separate for a mutation sent twice: it runs twice', async () => {
    const source = dataSource();
    subgraph.mode = 'hold';
    const answers = Promise.all([source.process(fetchFor('u-1', RESERVE, 'mutation')), source.process(fetchFor('u-1', RESERVE, 'mutation'))]);
    await waitFor('both mutations to reach the subgraph', () => subgraph.waiting() === 2);
    subgraph.release();
    expect((await answers).map((a) => a.data?.reserve as number).sort()).toEqual([1, 2]);
  });

  it('fail each caller with an error of its own when the shared request fails', async () => {
    const source = dataSource();
    subgraph.mode = 'drop';
    const variables = { representations: [{ __typename: 'Stock', sku: '1' }] };
    const answers = Promise.all([source.process(fetchFor('u-1', ENTITIES, 'query', variables)), source.process(fetchFor('u-1', ENTITIES, 'query', variables))]);
    await waitFor('the subgraph to be asked', () => subgraph.waiting() === 1);
    subgraph.release();
    const [first, second] = await answers;
    expect(subgraph.requests).toHaveLength(1);
    for (const answer of [first, second]) {
      expect(answer.errors).toEqual([
        {
          message: expect.stringMatching(/^subgraph "stock" failed \(.+\); its part of the result is missing$/),
          path: ['_entities', 0],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'stock' },
        },
      ]);
    }
    expect(second.errors).not.toBe(first.errors);
  });

  it('time out for every caller when the shared request does, each with its own error', async () => {
    const source = dataSource(300);
    subgraph.mode = 'hold';
    const settled = Promise.allSettled([source.process(fetchFor('u-1', STOCK)), source.process(fetchFor('u-1', STOCK))]);
    const [first, second] = await settled;
    expect(subgraph.requests).toHaveLength(1);
    for (const outcome of [first, second]) {
      expect(outcome.status).toBe('rejected');
      expect(((outcome as PromiseRejectedResult).reason as Error).message).toBe(
        'subgraph "stock" did not answer within 300 ms; its part of the result is missing',
      );
    }
    expect((first as PromiseRejectedResult).reason).not.toBe((second as PromiseRejectedResult).reason);
  });
});

describe('the subgraph deadline', () => {
  it('covers the whole answer: headers sent at once and a body that trickles still time out', async () => {
    const source = dataSource(500);
    subgraph.mode = 'trickle';
    const started = performance.now();
    await expect(source.process(fetchFor(null, STOCK))).rejects.toThrow('subgraph "stock" did not answer within 500 ms; its part of the result is missing');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(490);
    expect(elapsed).toBeLessThan(2_000);
  });
});
