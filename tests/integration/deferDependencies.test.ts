import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type RunningGateway } from '../../gateway/createGateway.ts';
import { startDeferSubgraphs, type DeferSubgraphs } from '../support/deferSubgraphs.ts';

/*
 * A deferred fragment starts when the fetches it depends on (the plan's
 * `depends`) are done, not when the whole first payload is: here the
 * deferred `note` needs only the shelf's item list, while the first payload
 * also waits for `stock`, which (on purpose) answers only once `notes` has
 * been asked. Its payload still comes after the first.
 */
let subgraphs: DeferSubgraphs;
let gateway: RunningGateway;
/** Long enough that a gateway asking `notes` only after `stock` cannot pass by luck. */
const STOCK_HOLD_MS = 4000;

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  subgraphs = await startDeferSubgraphs(STOCK_HOLD_MS);
  const composed = composeServices(subgraphs.list.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (composed.errors) throw new Error(`the @defer test subgraphs do not compose: ${composed.errors.map((e) => e.message).join('; ')}`);
  const supergraphSdl = composed.supergraphSdl;
  gateway = await createGateway({
    supergraph: { initialize: async () => ({ supergraphSdl }) },
    log: quiet,
    subgraphDeadlineMs: 10_000,
    jwtSecret: 'defer-dependencies',
    identity: { forward: async () => undefined, jwks: { keys: [] } },
    edge: {
      limits: { maxAliases: 0, maxDepth: 0, maxDirectives: 0, maxTokens: 0, maxCost: 0, defaultListSize: 10 },
      rateLimits: { windowSeconds: 1, perClient: 100_000, perUser: 100_000 },
      corsOrigins: [],
    },
  });
});
afterAll(async () => {
  await gateway?.close();
  await subgraphs?.close();
});

interface Part {
  data?: { items: { id: string; name: string; stock: number }[] };
  incremental?: { data: { note: string } | null; path: (string | number)[]; label?: string }[];
  hasNext: boolean;
}

async function multipartParts(query: string): Promise<Part[]> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824' },
    body: JSON.stringify({ query }),
  });
  expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
  const body = await response.text();
  return body
    .split('\r\n---')
    .map((chunk) => chunk.slice(chunk.indexOf('\r\n\r\n') + 4))
    .filter((chunk) => chunk.trim().startsWith('{'))
    .map((json) => JSON.parse(json) as Part);
}

describe('deferred fragments and the fetches they depend on', () => {
  it('starts a deferred fragment once the fetch it depends on is done, while the first payload still waits on another subgraph', async () => {
    const parts = await multipartParts('{ items { id name stock ... @defer(label: "note") { note } } }');
    // The gateway asked `notes` while `stock` was still held: it did not wait for the whole first payload.
    expect(subgraphs.events[0]).toBe('notes asked');
    expect(subgraphs.events.filter((event) => event.startsWith('stock'))).toEqual(['stock answered after notes was asked']);
    const [first, ...rest] = parts;
    expect(first).toEqual({
      data: {
        items: [
          { id: '1', name: 'Kettle', stock: 10 },
          { id: '2', name: 'Toaster', stock: 20 },
        ],
      },
      hasNext: true,
    });
    const notes = rest.flatMap((p) => p.incremental ?? []).sort((a, b) => Number(a.path[1]) - Number(b.path[1]));
    expect(notes).toEqual([
      { data: { note: 'note 1' }, path: ['items', 0], label: 'note' },
      { data: { note: 'note 2' }, path: ['items', 1], label: 'note' },
    ]);
    expect(rest.at(-1)!.hasNext).toBe(false);
  });
});
