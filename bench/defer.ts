/**
 * `npm run bench defer`: ten malls whose sites answer after 50 … 1,500 ms.
 * Cold: time to the first payload, the first mall's offers and the last, the
 * same search with and without @defer, alternating, a fresh keyword each
 * time. Warm: what deferring costs in throughput on cached searches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchSystem } from './support/benchSystem.ts';
import { median, percentile, table } from './support/measure.ts';

const MALLS = 10;
const FASTEST_MS = 50;
const SLOWEST_MS = 1500;
/** Evenly spread: 50, 211, 372, … 1,500 ms. */
const SITE_DELAYS = Array.from({ length: MALLS }, (_, i) => Math.round(FASTEST_MS + (i * (SLOWEST_MS - FASTEST_MS)) / (MALLS - 1)));
const COLD_ROUNDS = Number(process.env.BENCH_DEFER_ROUNDS ?? 6);
const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 5);
const WARM_ROUNDS = 2;
/** One client shares no fetch in flight with another; sixteen on one keyword do (deferred fetches too, counted per waiting client). */
const WARM_CONCURRENCY = [1, 16];
const WARM_KEYWORD = 'airpods';
const LINES = ['iphone', 'ipad', 'galaxy', 'gram', 'oled', 'vacuum', 'switch', 'buds', 'wh', 'airpods'];
const VARIANTS = ['pro', 'max', 'plus', 'mini', 'ultra', 'air', 'lite', 'neo'];
const ACCEPT_DEFER = 'multipart/mixed;deferSpec=20220824,application/json;q=0.9';

const SELECTION = `search(keyword: $keyword, first: 5) { offers { title price product { id name } } cached error { code } }`;
const DEFERRED = `query ($keyword: String!) { malls { id name ... @defer { ${SELECTION} } } }`;
const PLAIN = `query ($keyword: String!) { malls { id name ${SELECTION} } }`;

type Mode = 'deferred' | 'plain';
interface MallSearch {
  offers: unknown[];
  error: { code: string } | null;
}
interface Payload {
  data?: { malls: Array<{ id: string; search?: MallSearch | null }> };
  incremental?: Array<{ data: { search: MallSearch | null } | null; path: (string | number)[]; errors?: unknown[] }>;
  errors?: unknown[];
  hasNext?: boolean;
}
/** Milliseconds from sending to the first payload, the first mall's offers, the last; how many malls answered with offers. */
interface Timing {
  first: number;
  firstMall: number;
  lastMall: number;
  answered: number;
  order?: string[];
  problems: string[];
}

/** Splits a multipart/mixed body as it streams: each part counts when the boundary after it arrives, as Apollo Client reads it. */
async function readParts(body: ReadableStream<Uint8Array>, onPart: (payload: Payload) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\r\n---'); end !== -1; end = buffer.indexOf('\r\n---')) {
      const part = buffer.slice(0, end);
      buffer = buffer.slice(end + 5);
      const json = part.indexOf('\r\n\r\n');
      if (json !== -1 && part.includes('{')) onPart(JSON.parse(part.slice(json + 4)) as Payload);
    }
  }
}

/** What kept malls from answering: each mall's error code, each payload error's first words. */
function problemsOf(malls: Array<MallSearch | null | undefined>, errors: unknown[]): string[] {
  const codes = malls.flatMap((search) => (search?.error ? [search.error.code] : search && search.offers.length === 0 ? ['no offers'] : []));
  return [...codes, ...errors.map((e) => String((e as { message?: unknown }).message ?? e).slice(0, 80))];
}

function answeredMalls(malls: Array<MallSearch | null | undefined>): number {
  return malls.filter((search) => search && !search.error && search.offers.length > 0).length;
}

async function search(url: string, mode: Mode, keyword: string): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: mode === 'deferred' ? ACCEPT_DEFER : 'application/json' },
    body: JSON.stringify({ query: mode === 'deferred' ? DEFERRED : PLAIN, variables: { keyword } }),
  });
  if (response.status !== 200 || !response.body)
    throw new Error(`the ${mode} search "${keyword}" got HTTP ${response.status}; see the gateway log in the bench's work directory`);
  if (mode === 'plain') {
    const payload = (await response.json()) as Payload;
    const ms = performance.now() - started;
    const searches = payload.data?.malls.map((m) => m.search) ?? [];
    return { first: ms, firstMall: ms, lastMall: ms, answered: answeredMalls(searches), problems: problemsOf(searches, payload.errors ?? []) };
  }
  const arrivals: number[] = [];
  const searches: Array<MallSearch | null> = [];
  const order: string[] = [];
  const errors: unknown[] = [];
  let ids: string[] = [];
  await readParts(response.body, (payload) => {
    const ms = performance.now() - started;
    arrivals.push(ms);
    ids = payload.data?.malls.map((m) => m.id) ?? ids;
    errors.push(...(payload.errors ?? []));
    for (const item of payload.incremental ?? []) {
      searches.push(item.data?.search ?? null);
      errors.push(...(item.errors ?? []));
      order.push(`${ids[item.path[1] as number] ?? '?'}@${ms.toFixed(0)}`);
    }
  });
  if (arrivals.length < 2)
    throw new Error(
      `the deferred search "${keyword}" sent ${arrivals.length} part(s), not the list and each mall's offers; check the gateway's @defer support`,
    );
  return {
    first: arrivals[0]!,
    firstMall: arrivals[1]!,
    lastMall: arrivals.at(-1)!,
    answered: answeredMalls(searches),
    order,
    problems: problemsOf(searches, errors),
  };
}

async function closedLoop(url: string, mode: Mode, clients: number, seconds: number): Promise<{ rps: number; latencies: number[] }> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) latencies.push((await search(url, mode, WARM_KEYWORD)).lastMall);
    }),
  );
  return { rps: latencies.length / seconds, latencies };
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

export async function benchDefer(mongoUri: string): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-defer-'));
  console.log(`  load average at start: ${load()}`);
  const system = await startBenchSystem({
    mongoUri,
    mallCount: MALLS,
    siteDelayMs: 0,
    siteDelaysMs: SITE_DELAYS,
    // The slowest site is to answer, not to meet the 2 s mall deadline on a loaded machine.
    serviceEnv: { MALL_DEADLINE_MS: '3000', GATEWAY_SUBGRAPH_DEADLINE_MS: '4000' },
    workDir,
    dbPrefix: `benchdefer${Date.now()}`,
    fleetProcesses: 1,
  });
  try {
    // Processes compiled, pools open, both planners built, the warm keyword cached.
    await search(system.graphqlUrl, 'deferred', WARM_KEYWORD);
    await search(system.graphqlUrl, 'plain', WARM_KEYWORD);
    const keywords = LINES.flatMap((line) => VARIANTS.map((variant) => `${line} ${variant}`));
    const cold: Record<Mode, Timing[]> = { deferred: [], plain: [] };
    for (let round = 0; round < COLD_ROUNDS; round++) {
      const order: Mode[] = round % 2 === 0 ? ['deferred', 'plain'] : ['plain', 'deferred'];
      for (const mode of order) cold[mode].push(await search(system.graphqlUrl, mode, keywords[cold.deferred.length + cold.plain.length]!));
    }
    type Warm = { rps: number[]; latencies: number[] };
    const warm = new Map<string, Warm>();
    for (let round = 0; round < WARM_ROUNDS; round++) {
      for (const clients of WARM_CONCURRENCY) {
        for (const mode of (round % 2 === 0 ? ['deferred', 'plain'] : ['plain', 'deferred']) as Mode[]) {
          const result = await closedLoop(system.graphqlUrl, mode, clients, WARM_SECONDS);
          const entry = warm.get(`${mode}${clients}`) ?? { rps: [], latencies: [] };
          entry.rps.push(result.rps);
          entry.latencies.push(...result.latencies);
          warm.set(`${mode}${clients}`, entry);
        }
      }
    }
    const rows = (['deferred', 'plain'] as Mode[]).map((mode) => {
      const runs = cold[mode];
      return {
        search: mode === 'deferred' ? '@defer (multipart)' : 'without @defer (JSON)',
        'cold: first payload ms': median(runs.map((t) => t.first)).toFixed(0),
        'first mall offers ms': median(runs.map((t) => t.firstMall)).toFixed(0),
        'last mall offers ms': median(runs.map((t) => t.lastMall)).toFixed(0),
        'malls with offers': `${median(runs.map((t) => t.answered))}/${MALLS}`,
        ...Object.fromEntries(
          WARM_CONCURRENCY.flatMap((clients) => {
            const w = warm.get(`${mode}${clients}`)!;
            return [
              [`warm ${clients}c req/s`, median(w.rps).toFixed(0)],
              [`${clients}c p50 ms`, percentile(w.latencies, 50).toFixed(1)],
              [`${clients}c p99 ms`, percentile(w.latencies, 99).toFixed(1)],
            ];
          }),
        ),
      };
    });
    console.log(
      `\n@defer (sites after ${SITE_DELAYS.join(', ')} ms; cold: medians of ${COLD_ROUNDS} searches each, a fresh keyword every search, alternating; warm: ${WARM_CONCURRENCY.join(' and ')} clients (c) for ${WARM_SECONDS} s, ${WARM_ROUNDS} rounds each, alternating, one cached keyword, latency to the last part; load average at the end ${load()})\n`,
    );
    console.log(table(rows));
    // Which mall came when, per deferred search: the order should follow the site delays.
    for (const timing of cold.deferred) console.log(`  deferred: ${timing.order?.join(' ')}`);
    for (const mode of ['deferred', 'plain'] as Mode[]) {
      const problems = cold[mode].flatMap((t) => t.problems);
      if (problems.length > 0)
        console.log(`  ${mode}, malls without offers: ${[...new Set(problems)].map((p) => `${p} ×${problems.filter((q) => q === p).length}`).join('; ')}`);
    }
  } finally {
    await system.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}
