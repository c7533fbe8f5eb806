import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphqlClient.ts';
import { scrape } from '../support/prometheusText.ts';
import { waitFor } from '../support/waitFor.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';

/** One fast site, one middling, one slow: each mall's offers should arrive in this order. */
const SITE_DELAYS = { hanbit: 50, daehan: 700, sejong: 1500 };
const ACCEPT_DEFER = 'multipart/mixed;deferSpec=20220824,application/json;q=0.9';

const SEARCH = `query Search($keyword: String!) { malls { id name ... @defer(label: "offers") { search(keyword: $keyword, first: 5) {
  offers { title price product { id name } } cached error { code message } } } } }`;

interface Offer {
  title: string;
  price: number;
  product: { id: string; name: string } | null;
}
interface MallSearch {
  offers: Offer[];
  cached: boolean;
  error: { code: string; message: string } | null;
}
interface Part {
  data?: { malls: { id: string; name: string }[] };
  incremental?: {
    data: { search: MallSearch | null } | null;
    path: (string | number)[];
    label?: string;
    errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  }[];
  hasNext: boolean;
  errors?: unknown[];
}

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({
    DEMO_SITE_DELAYS_MS: Object.entries(SITE_DELAYS)
      .map(([site, ms]) => `${site}=${ms}`)
      .join(','),
  });
  // Warm: processes compiled, pools open, the @defer planner built; timings below are then the sites' own.
  await multipart(SEARCH, { keyword: 'warm up' });
}, 120_000);
afterAll(async () => {
  await system?.close();
});

/** The raw multipart body, split at its boundaries, with the time each part arrived. */
async function multipart(query: string, variables: Record<string, unknown>, init: { signal?: AbortSignal; onPart?: (part: Part) => void } = {}) {
  const started = performance.now();
  const response = await fetch(system.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT_DEFER },
    body: JSON.stringify({ query, variables }),
    signal: init.signal,
  });
  const parts: { part: Part; ms: number }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  let body = '';
  for await (const chunk of response.body!) {
    const text = decoder.decode(chunk, { stream: true });
    body += text;
    buffer += text;
    // A part counts only once the boundary after it has arrived, as Apollo Client reads it.
    for (let end = buffer.indexOf('\r\n---'); end !== -1; end = buffer.indexOf('\r\n---')) {
      const chunkText = buffer.slice(0, end);
      buffer = buffer.slice(end + 5);
      const json = chunkText.slice(chunkText.indexOf('\r\n\r\n') + 4);
      if (!chunkText.includes('{')) continue;
      const part = JSON.parse(json) as Part;
      parts.push({ part, ms: performance.now() - started });
      init.onPart?.(part);
    }
  }
  return { status: response.status, contentType: response.headers.get('content-type'), parts, body };
}

/** Every fetch the gateway has made to any subgraph, from its metrics. */
async function subgraphFetches(): Promise<number> {
  const { text } = await scrape(`${system.gatewayUrl}/metrics`);
  return text
    .split('\n')
    .filter((line) => line.startsWith('gatehouse_gateway_subgraph_fetch_duration_seconds_count'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function siteFault(site: string, mode: string) {
  await fetch(`${system.demoSitesUrl}/__faults`, { method: 'POST', body: JSON.stringify({ site, mode }) });
}

describe('@defer through the gateway', () => {
  it("Apollo Client sees the mall list, then each mall's offers in the order its site answers", async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: system.graphqlUrl }),
      cache: new InMemoryCache(),
      incrementalHandler: new Defer20220824Handler(),
    });
    const started = performance.now();
    const seen: { ms: number; searched: string[]; malls: number; complete: boolean }[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = client
        .watchQuery<{ malls: { id: string; name: string; search?: MallSearch | null }[] }>({
          query: gql(SEARCH),
          variables: { keyword: 'airpods' },
          fetchPolicy: 'no-cache',
        })
        .subscribe({
          next: (result) => {
            if (!result.data?.malls) return;
            const malls = result.data.malls;
            seen.push({
              ms: performance.now() - started,
              malls: malls.length,
              searched: malls.filter((m) => m.search).map((m) => m.id ?? ''),
              complete: result.dataState === 'complete',
            });
            if (result.dataState === 'complete') {
              subscription.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
    });
    client.stop();
    // First the list, no offers yet; then one more mall at a time, fastest site first.
    expect(seen[0]).toMatchObject({ malls: 3, searched: [] });
    const order = seen.map((s) => s.searched.length);
    expect(order).toEqual([0, 1, 2, 3]);
    const arrival = seen.slice(1).map<string | null>((s, i) => s.searched.find((id) => !seen[i]!.searched.includes(id)) ?? null);
    expect(arrival).toEqual(['hanbit', 'daehan', 'sejong']);
    // The list and the fastest mall long before the slowest site answers (the first request also builds the @defer planner).
    expect(seen[1]!.ms).toBeLessThan(seen[3]!.ms - (SITE_DELAYS.sejong - SITE_DELAYS.hanbit) / 2);
    expect(seen[3]!.complete).toBe(true);
  });

  it('streams multipart parts: the list with hasNext, then one payload per mall at its own path, the last with hasNext false', async () => {
    const { status, contentType, parts, body } = await multipart(SEARCH, { keyword: 'iphone' });
    expect(status).toBe(200);
    expect(contentType).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    expect(body.endsWith('\r\n-----\r\n')).toBe(true);
    const [first, ...rest] = parts.map((p) => p.part);
    expect(first!.hasNext).toBe(true);
    const malls = first!.data!.malls;
    expect(malls.map((m) => m.id).sort()).toEqual(['daehan', 'hanbit', 'sejong']);
    expect(malls.every((m) => !('search' in m))).toBe(true);
    const items = rest.flatMap((p) => p.incremental ?? []);
    expect(items.map((i) => malls[i.path[1] as number]!.id)).toEqual(['hanbit', 'daehan', 'sejong']);
    for (const item of items) {
      expect(item.path).toEqual(['malls', expect.any(Number)]);
      expect(item.label).toBe('offers');
      expect(item.data!.search!.offers.length).toBeGreaterThan(0);
      expect(item.data!.search!.offers.some((o) => o.product?.name)).toBe(true);
    }
    expect(rest.map((p) => p.hasNext)).toEqual([...rest.slice(1).map(() => true), false]);
  });

  it('answers the same data in one ordinary response when the client does not accept multipart', async () => {
    const plain = await postGraphQL<{ malls: { id: string; search: MallSearch | null }[] }>(system.graphqlUrl, SEARCH, { keyword: 'iphone' });
    expect(plain.status).toBe(200);
    expect(plain.errors).toBeUndefined();
    const { parts } = await multipart(SEARCH, { keyword: 'iphone' });
    const [first, ...rest] = parts.map((p) => p.part);
    const merged = first!.data!.malls.map((m) => ({ ...m })) as Record<string, unknown>[];
    for (const item of rest.flatMap((p) => p.incremental ?? [])) Object.assign(merged[item.path[1] as number]!, item.data);
    expect(plain.data!.malls).toEqual(merged);
  });

  it("carries a mall whose site times out in that mall's own payload (TIMEOUT), the others complete", async () => {
    await siteFault('sejong', 'hang');
    try {
      const { parts } = await multipart(SEARCH, { keyword: 'galaxy' });
      const malls = parts[0]!.part.data!.malls;
      const items = parts.slice(1).flatMap((p) => p.part.incremental ?? []);
      const byMall = Object.fromEntries(items.map((i) => [malls[i.path[1] as number]!.id, i.data!.search!]));
      expect(byMall.sejong!.error?.code).toBe('TIMEOUT');
      expect(byMall.hanbit!.offers.length).toBeGreaterThan(0);
      expect(byMall.daehan!.offers.length).toBeGreaterThan(0);
      expect(parts.at(-1)!.part.hasNext).toBe(false);
    } finally {
      await siteFault('sejong', 'ok');
    }
  });

  it('sends the same payloads as graphql-ws next messages and as SSE events', async () => {
    const ws = createWsClient({ url: system.graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true });
    const sse = createSseClient({ url: system.graphqlUrl });
    try {
      // A keyword each, so neither finds the other's searches cached (a warm mall answers at once, in no order).
      for (const [client, keyword] of [
        [ws, 'ipad'],
        [sse, 'switch'],
      ] as const) {
        const messages: Part[] = [];
        for await (const message of client.iterate({ query: SEARCH, variables: { keyword } })) messages.push(message as unknown as Part);
        expect(messages[0]!.data!.malls).toHaveLength(3);
        expect(messages[0]!.hasNext).toBe(true);
        const items = messages.slice(1).flatMap((m) => m.incremental ?? []);
        expect(items.map((i) => messages[0]!.data!.malls[i.path[1] as number]!.id)).toEqual(['hanbit', 'daehan', 'sejong']);
        expect(items.every((i) => i.label === 'offers' && i.data!.search!.offers.length > 0)).toBe(true);
        expect(messages.at(-1)!.hasNext).toBe(false);
      }
    } finally {
      await ws.dispose();
      sse.dispose();
    }
  });

  it("ends the gateway's in-flight subgraph fetches when the client disconnects after the first part", async () => {
    const sejongFetches = async () =>
      (await scrape(`${system.gatewayUrl}/metrics`)).value('gatehouse_gateway_subgraph_fetch_duration_seconds_count', {
        subgraph: 'sejong',
        outcome: 'timeout',
      });
    const before = await sejongFetches();
    await siteFault('sejong', 'hang');
    try {
      const abort = new AbortController();
      let firstAt = 0;
      await multipart(
        SEARCH,
        { keyword: 'watch' },
        {
          signal: abort.signal,
          onPart: () => {
            firstAt = performance.now();
            abort.abort();
          },
        },
      ).catch((error: unknown) => {
        if ((error as Error).name !== 'AbortError') throw error;
      });
      expect(firstAt).toBeGreaterThan(0);
      // The mall would answer only at its own deadline (2 s); the gateway's fetch to it ends long before.
      await waitFor('the gateway to end its fetch to sejong', async () => (await sejongFetches()) > before, 1000);
    } finally {
      await siteFault('sejong', 'ok');
    }
  });
  it("refuses a deferred request over an operation limit as it refuses a normal one (400, the limit's code), before any subgraph is called", async () => {
    // Eleven aliases, one over the default GATEWAY_MAX_ALIASES of 10.
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: id`).join(' ');
    const query = `query Search($keyword: String!) { malls { ${aliases} ... @defer { search(keyword: $keyword, first: 5) { offers { title } } } } }`;
    const fetches = await subgraphFetches();
    const deferred = await fetch(system.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT_DEFER },
      body: JSON.stringify({ query, variables: { keyword: 'limits' } }),
    });
    const plain = await postGraphQL(system.graphqlUrl, query, { keyword: 'limits' });
    expect(deferred.status).toBe(400);
    expect(deferred.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    const body = (await deferred.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions.code).toBe('ALIAS_LIMIT_EXCEEDED');
    expect(body.errors[0]!.message).toMatch(/11 aliases, over the limit of 10/);
    expect(plain.status).toBe(400);
    expect(plain.errors).toEqual(body.errors);
    expect(await subgraphFetches()).toBe(fetches);
  });

  // Last: it stops a mall subgraph for good.
  it("carries a stopped mall subgraph's error in that mall's own payload at its path, the others complete", async () => {
    await system.stopService('daehan');
    const { parts } = await multipart(SEARCH, { keyword: 'buds' });
    const malls = parts[0]!.part.data!.malls;
    const daehanAt = malls.findIndex((m) => m.id === 'daehan');
    expect(daehanAt).toBeGreaterThanOrEqual(0);
    const items = parts.slice(1).flatMap((p) => p.part.incremental ?? []);
    expect(items).toHaveLength(3);
    const daehan = items.find((i) => i.path[1] === daehanAt)!;
    expect(daehan.path).toEqual(['malls', daehanAt]);
    expect(daehan.data?.search ?? null).toBeNull();
    expect(daehan.errors?.[0]?.message).toMatch(/subgraph "daehan" failed/);
    expect(daehan.errors?.[0]?.path?.slice(0, 2)).toEqual(['malls', daehanAt]);
    const others = items.filter((i) => i !== daehan);
    expect(others.every((i) => !i.errors && i.data!.search!.offers.length > 0)).toBe(true);
    expect(parts[0]!.part.errors).toBeUndefined();
    expect(parts.at(-1)!.part.hasNext).toBe(false);
  });
});
