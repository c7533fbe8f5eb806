import { readFileSync } from 'node:fs';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { DeferNode, QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createDirectoryDataSource } from '../../gateway/directory/createDirectoryDataSource.ts';
import { deferPlannerOf } from '../../gateway/defer/deferPlanner.ts';
import { executeDeferred, type SubsequentPayload } from '../../gateway/defer/executeDeferred.ts';
import { buildSupergraphVersion, type SupergraphVersion } from '../../gateway/supergraph/supergraphVersion.ts';

const SDL = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
/** Each mall answers after its own delay; sejong can be made to fail. */
const MALL_DELAY_MS: Record<string, number> = { hanbit: 10, daehan: 60, sejong: 120 };

interface Fakes {
  down: Set<string>;
  catalogFetches: number;
  /** Overrides MALL_DELAY_MS: a mall with 0 answers in the turn after it is asked, as a warm one does. */
  delays?: Record<string, number>;
}

function fakeVersion(fakes: Fakes): SupergraphVersion {
  return buildSupergraphVersion(SDL, (endpoints) =>
    Object.fromEntries(
      endpoints.map((e): [string, GraphQLDataSource] => {
        if (e.name === 'directory') return [e.name, createDirectoryDataSource(SDL)];
        if (e.name === 'catalog') {
          return [
            e.name,
            {
              process: async ({ request }) => {
                fakes.catalogFetches += 1;
                const reps = request.variables!.representations as { model: string }[];
                return { data: { _entities: reps.map((r) => ({ id: `p-${r.model}`, name: `Product ${r.model}` })) } };
              },
            },
          ];
        }
        return [
          e.name,
          {
            process: async ({ request }) => {
              const delay = (fakes.delays ?? MALL_DELAY_MS)[e.name] ?? 0;
              await new Promise((resolve) => (delay === 0 ? setImmediate(resolve) : setTimeout(resolve, delay)));
              const reps = request.variables!.representations as { id: string }[];
              if (fakes.down.has(e.name)) return { errors: reps.map((_, i) => ({ message: `subgraph "${e.name}" failed`, path: ['_entities', i] })) };
              return {
                data: {
                  _entities: reps.map((r) => ({
                    search: { offers: [{ title: `${r.id} offer`, price: 100, product: { __typename: 'Product', model: `${r.id}-m` } }] },
                  })),
                },
              };
            },
          },
        ];
      }),
    ),
  );
}

async function runDeferred(version: SupergraphVersion, query: string, variables: Record<string, unknown> = {}) {
  const document: DocumentNode = parse(query);
  const plan = deferPlannerOf(version).plan(document, undefined, query);
  const requestContext = { request: { query, variables }, document, context: {}, metrics: {}, logger: console } as unknown as GatewayGraphQLRequestContext;
  let ended = false;
  const execution = await executeDeferred(version, requestContext, plan as QueryPlan & { node: DeferNode }, {
    signal: new AbortController().signal,
    onEnd: () => (ended = true),
  });
  const payloads: SubsequentPayload[] = [];
  for await (const payload of execution.subsequent) payloads.push(payload);
  return { ...execution, payloads, ended: () => ended };
}

const SEARCH = `query ($k: String!) { malls { id name ... @defer(label: "offers") { search(keyword: $k) { offers { title product { id name } } } } } }`;

describe('deferred execution', () => {
  it('sends the mall list first, then one payload per mall in the order the malls answer, each with its own catalog products', async () => {
    const fakes: Fakes = { down: new Set(), catalogFetches: 0 };
    const { initial, hasNext, payloads, ended } = await runDeferred(fakeVersion(fakes), SEARCH, { k: 'airpods' });
    expect(hasNext).toBe(true);
    const malls = (initial.data as { malls: { id: string; name: string }[] }).malls;
    expect(malls.map((m) => m.id).sort()).toEqual(['daehan', 'hanbit', 'sejong']);
    expect(malls.every((m) => Object.keys(m).join() === 'id,name')).toBe(true);
    const items = payloads.flatMap((p) => p.incremental);
    expect(items.map((i) => (i.data as { search: { offers: { title: string }[] } }).search.offers[0]!.title)).toEqual([
      'hanbit offer',
      'daehan offer',
      'sejong offer',
    ]);
    for (const item of items) {
      const index = item.path[1] as number;
      expect(item.path).toEqual(['malls', index]);
      expect(item.label).toBe('offers');
      expect(item.data).toEqual({
        search: { offers: [{ title: `${malls[index]!.id} offer`, product: { id: `p-${malls[index]!.id}-m`, name: `Product ${malls[index]!.id}-m` } }] },
      });
    }
    expect(payloads.map((p) => p.hasNext)).toEqual([true, true, false]);
    expect(fakes.catalogFetches).toBe(3);
    expect(ended()).toBe(true);
  });

  it('gives the malls that answer in the same turn one catalog fetch and one payload, without holding them for a slower one', async () => {
    const fakes: Fakes = { down: new Set(), catalogFetches: 0, delays: { hanbit: 0, daehan: 0, sejong: 150 } };
    const { initial, payloads } = await runDeferred(fakeVersion(fakes), SEARCH, { k: 'warm' });
    const malls = (initial.data as { malls: { id: string }[] }).malls;
    const idsOf = (payload: SubsequentPayload) => payload.incremental.map((i) => malls[i.path[1] as number]!.id).sort();
    expect(payloads.map(idsOf)).toEqual([['daehan', 'hanbit'], ['sejong']]);
    expect(payloads.map((p) => p.hasNext)).toEqual([true, false]);
    expect(fakes.catalogFetches).toBe(2);
    for (const item of payloads.flatMap((p) => p.incremental)) {
      const id = malls[item.path[1] as number]!.id;
      expect(item.data).toEqual({ search: { offers: [{ title: `${id} offer`, product: { id: `p-${id}-m`, name: `Product ${id}-m` } }] } });
    }
  });

  it("carries a mall subgraph's failure in that mall's own payload, at its path, and completes the others", async () => {
    const fakes: Fakes = { down: new Set(['sejong']), catalogFetches: 0 };
    const { initial, payloads } = await runDeferred(fakeVersion(fakes), SEARCH, { k: 'airpods' });
    const malls = (initial.data as { malls: { id: string }[] }).malls;
    const sejong = malls.findIndex((m) => m.id === 'sejong');
    const items = payloads.flatMap((p) => p.incremental);
    const failed = items.find((i) => i.path[1] === sejong)!;
    expect(failed.errors?.[0]?.message).toMatch(/sejong/);
    expect(failed.errors?.[0]?.path).toEqual(['malls', sejong]);
    expect(items.filter((i) => i !== failed).every((i) => !i.errors && (i.data as { search: unknown }).search)).toBe(true);
  });

  it('delivers a nested @defer after its parent, and fields already fetched without another fetch', async () => {
    const fakes: Fakes = { down: new Set(), catalogFetches: 0 };
    const { initial, payloads } = await runDeferred(
      fakeVersion(fakes),
      `query ($k: String!) { malls { id ... @defer { name ... @defer { search(keyword: $k) { offers { title } } } } } }`,
      { k: 'x' },
    );
    expect((initial.data as { malls: object[] }).malls.every((m) => Object.keys(m).join() === 'id')).toBe(true);
    const items = payloads.flatMap((p) => p.incremental);
    expect(items).toHaveLength(6);
    for (let index = 0; index < 3; index++) {
      const own = items.filter((i) => i.path[1] === index);
      expect(own.map((i) => Object.keys(i.data!).join())).toEqual(['name', 'search']);
    }
  });

  it('runs a deferred root field once, at the root path', async () => {
    const fakes: Fakes = { down: new Set(), catalogFetches: 0 };
    const { initial, payloads } = await runDeferred(fakeVersion(fakes), `{ malls { id } ... @defer { mall(id: "hanbit") { name } } }`);
    expect(Object.keys(initial.data!)).toEqual(['malls']);
    expect(payloads.flatMap((p) => p.incremental)).toEqual([{ data: { mall: { name: expect.any(String) } }, path: [] }]);
  });
});
