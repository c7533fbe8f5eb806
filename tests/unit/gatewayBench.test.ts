/**
 * The instrument behind `npm run bench gateway`: the workload it serves, the
 * load that checks every answer, the side-by-side comparison and the baseline
 * checkout. (The figures themselves come from `npm run bench gateway`.)
 */
import { existsSync, lstatSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkloadServer, type WorkloadServer } from '../../bench/gatewayWorkload/createWorkloadServer.ts';
import { WORKLOAD_BODY } from '../../bench/gatewayWorkload/workloadQuery.ts';
import { WORKLOAD_SDL, WORKLOAD_SUBGRAPH_NAMES } from '../../bench/gatewayWorkload/workloadSubgraphs.ts';
import { checkoutBaseline } from '../../bench/support/checkoutBaseline.ts';
import { compareGateways } from '../../bench/support/compareGateways.ts';
import { runLoad } from '../../bench/support/runLoad.ts';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Vanilla Apollo Gateway over the workload subgraphs, in this process. */
async function startWorkloadGateway(): Promise<{ url: string; workload: WorkloadServer }> {
  const workload = await createWorkloadServer();
  closers.push(workload.close);
  const composed = composeSupergraph(WORKLOAD_SUBGRAPH_NAMES.map((name) => ({ name, url: `${workload.url}/${name}/graphql`, sdl: WORKLOAD_SDL[name] })));
  if (!composed.ok) throw new Error(composed.errors.join('; '));
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: composed.supergraphSdl }) });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  closers.push(() => server.stop());
  return { url, workload };
}

interface Product {
  upc: string;
  price: number;
  weight: number;
  shippingEstimate: number | null;
  reviews?: Review[];
}
interface User {
  id: string;
  username: string;
  name: string;
  reviews: Review[];
}
interface Review {
  id: string;
  body: string;
  product?: Product;
  author?: User;
}

describe('the federation workload', () => {
  it('answers the benchmark-shaped query with about 87 KB, through every subgraph, @requires and @provides included', async () => {
    const { url, workload } = await startWorkloadGateway();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: WORKLOAD_BODY });
    const text = await response.text();
    const { data, errors } = JSON.parse(text) as { data: { users: User[]; topProducts: Product[] }; errors?: unknown };
    expect(errors).toBeUndefined();
    expect(text.length).toBeGreaterThan(80_000);
    expect(text.length).toBeLessThan(95_000);
    expect(data.users).toHaveLength(6);
    expect(data.users.every((user) => user.reviews.length === 2)).toBe(true);
    expect(data.topProducts.map((p) => p.upc)).toEqual(['1', '2', '3', '4', '5']);
    expect(data.topProducts.map((p) => p.reviews!.length)).toEqual([4, 4, 1, 2, 0]);
    // shippingEstimate needs price and weight from the products subgraph: free above 1000, else half the weight.
    expect(data.topProducts.map((p) => p.shippingEstimate)).toEqual([50, 0, 10, 50, 0]);
    // The author's username comes with the review (@provides), the name from accounts.
    const author = data.topProducts[0]!.reviews![0]!.author!;
    expect(author).toMatchObject({ id: '1', username: 'minaok', name: 'Mina Okafor' });
    const calls = workload.calls();
    expect(Object.values(calls).every((count) => count > 0)).toBe(true);
  });

  it('replays an identical subgraph request without changing its answer, and counts it', async () => {
    const workload = await createWorkloadServer();
    closers.push(workload.close);
    const ask = async () =>
      (await fetch(`${workload.url}/products/graphql`, { method: 'POST', body: '{"query":"{ topProducts(first: 2) { upc name } }"}' })).text();
    const first = await ask();
    expect(await ask()).toBe(first);
    expect(JSON.parse(first)).toEqual({
      data: {
        topProducts: [
          { upc: '1', name: 'Desk' },
          { upc: '2', name: 'Sofa bed' },
        ],
      },
    });
    expect(workload.calls().products).toBe(2);
  });
});

describe('load with every answer checked', () => {
  it('counts each answer that differs from the expected one', async () => {
    let served = 0;
    const url = await serve((_req, res) => {
      served += 1;
      res.end(served % 3 === 0 ? '{"data":null}' : '{"data":{"ok":true}}');
    });
    const result = await runLoad({ url, body: '{}', connections: 2, seconds: 1, expectBody: '{"data":{"ok":true}}' });
    expect(result.responses).toBeGreaterThan(10);
    expect(result.mismatches).toBeGreaterThan(0);
    expect(Math.abs(result.mismatches - result.responses / 3)).toBeLessThanOrEqual(3);
    expect(result.mismatchSample).toBe('{"data":null}');
  });

  it('does not count a multi-byte character split between two network chunks as a different answer', async () => {
    const body = Buffer.from('{"data":{"title":"에어팟 프로"}}');
    const split = body.indexOf(Buffer.from('에')) + 1; // inside the first Hangul character
    const url = await serve((_req, res) => {
      res.write(body.subarray(0, split));
      res.end(body.subarray(split));
    });
    const result = await runLoad({ url, body: '{}', connections: 1, seconds: 1, expectBody: body.toString() });
    expect(result.responses).toBeGreaterThan(0);
    expect(result.mismatches).toBe(0);
  });
});

describe('gateways side by side', () => {
  it('flags a gateway whose answer differs from the reference, and divides each one by the reference round by round', async () => {
    const same = await serve((_req, res) => res.end('{"data":{"n":1}}'));
    const other = await serve((_req, res) => res.end('{"data":{"n":2}}'));
    const lines: string[] = [];
    const contender = (name: string, url: string) => ({ name, url, pid: process.pid, stop: async () => undefined });
    const summaries = await compareGateways({
      entrants: [
        { contender: contender('reference', same), backendPids: [] },
        { contender: contender('other', other), backendPids: [] },
      ],
      reference: 'reference',
      body: '{}',
      connections: 2,
      warmupSeconds: 1,
      rounds: 2,
      roundSeconds: 1,
      log: (line) => lines.push(line),
    });
    const [reference, differing] = summaries;
    expect(reference).toMatchObject({ name: 'reference', ratio: 1, mismatches: 0, difference: null });
    expect(reference!.roundsRps).toHaveLength(2);
    expect(differing!.difference).toContain('bodies differ at character 13');
    expect(differing!.mismatches).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes("other's answer is not reference's"))).toBe(true);
  });
});

describe('subgraph calls per response', () => {
  it('counts the requests still in flight when a round ends, so one call per request reads as 1.00', async () => {
    let calls = 0;
    // A gateway that makes one subgraph call per request at once, then answers 300 ms later.
    const url = await serve((_req, res) => {
      calls += 1;
      setTimeout(() => res.end('{"data":{}}'), 300);
    });
    const contender = { name: 'slow', url, pid: process.pid, stop: async () => undefined };
    const [summary] = await compareGateways({
      entrants: [{ contender, backendPids: [], subgraphCalls: async () => calls }],
      reference: 'slow',
      body: '{}',
      connections: 4,
      warmupSeconds: 1,
      rounds: 1,
      roundSeconds: 1,
      log: () => undefined,
    });
    expect(summary!.subgraphCallsPerResponse).toBe(1);
  });
});

describe('the baseline checkout', () => {
  it('exports a commit with this tree’s node_modules linked in, and removes it on close', () => {
    const baseline = checkoutBaseline('HEAD');
    try {
      expect(baseline.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(existsSync(`${baseline.root}/gateway/main.ts`)).toBe(true);
      expect(lstatSync(`${baseline.root}/node_modules`).isSymbolicLink()).toBe(true);
    } finally {
      baseline.close();
    }
    expect(existsSync(baseline.root)).toBe(false);
    expect(existsSync('node_modules/graphql')).toBe(true);
  });

  it('refuses a ref that names no commit, saying how to skip the baseline', () => {
    expect(() => checkoutBaseline('no-such-ref-anywhere')).toThrow(/names no commit.*"none" to skip/);
  });
});
