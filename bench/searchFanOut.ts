/**
 * Cold search latency as the number of malls grows, its ratio to one mall,
 * and warm search throughput through the gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchSystem } from './support/benchSystem.ts';
import { median, percentile, table, timed } from './support/measure.ts';

const SITE_DELAY_MS = Number(process.env.BENCH_SITE_DELAY_MS ?? 800);
const MALL_COUNTS = (process.env.BENCH_MALL_COUNTS ?? '1,3,10,30').split(',').map(Number);
const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 5);
const WARM_CONCURRENCY = 16;
const FLEET_PROCESSES = Number(process.env.BENCH_FLEET_PROCESSES ?? 1);
const COLD_KEYWORDS = ['airpods pro', 'iphone max', 'ipad air', 'galaxy ultra', 'gram plus', 'switch lite', 'vacuum neo', 'oled mini', 'wh pro'];

const QUERY = `query ($keyword: String!) { malls { id search(keyword: $keyword, first: 10) {
  offers { title price model product { id name } } cached error { code } } } }`;

interface SearchData {
  data?: { malls: Array<{ id: string; search: { offers: unknown[]; cached: boolean; error: unknown } | null }> };
  errors?: unknown[];
}

async function search(url: string, keyword: string): Promise<SearchData> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY, variables: { keyword } }),
  });
  return (await response.json()) as SearchData;
}

function assertComplete(result: SearchData, mallCount: number, keyword: string): void {
  const malls = result.data?.malls ?? [];
  const answered = malls.filter((m) => m.search && !m.search.error && m.search.offers.length > 0).length;
  if (result.errors || answered !== mallCount) {
    throw new Error(
      `search "${keyword}" answered ${answered}/${mallCount} malls: ${JSON.stringify(result.errors ?? malls.filter((m) => !m.search || m.search.error)).slice(0, 400)}`,
    );
  }
}

async function warmThroughput(url: string, keyword: string): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const until = Date.now() + WARM_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WARM_CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const { ms } = await timed(() => search(url, keyword));
        latencies.push(ms);
      }
    }),
  );
  return { rps: latencies.length / WARM_SECONDS, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function benchSearchFanOut(mongoUri: string): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  let single: number | undefined;
  for (const mallCount of MALL_COUNTS) {
    const workDir = mkdtempSync(join(tmpdir(), `gatehouse-bench-${mallCount}-`));
    const system = await startBenchSystem({
      mongoUri,
      mallCount,
      siteDelayMs: SITE_DELAY_MS,
      workDir,
      dbPrefix: `bench${Date.now()}`,
      fleetProcesses: FLEET_PROCESSES,
    });
    try {
      assertComplete(await search(system.graphqlUrl, 'airpods'), mallCount, 'airpods'); // connections and plan cache
      const cold: number[] = [];
      for (const keyword of COLD_KEYWORDS) {
        const { ms, value } = await timed(() => search(system.graphqlUrl, keyword));
        assertComplete(value, mallCount, keyword);
        cold.push(ms);
      }
      const warm = await warmThroughput(system.graphqlUrl, 'airpods');
      const coldMedian = median(cold);
      single ??= coldMedian;
      rows.push({
        malls: mallCount,
        'cold p50 ms': coldMedian.toFixed(0),
        'cold max ms': Math.max(...cold).toFixed(0),
        'ratio to 1 mall': (coldMedian / single).toFixed(2),
        'added ms': (coldMedian - single).toFixed(0),
        'warm req/s': warm.rps.toFixed(0),
        'warm p50 ms': warm.p50.toFixed(1),
        'warm p99 ms': warm.p99.toFixed(1),
      });
      console.log(`  ${mallCount} malls: cold p50 ${coldMedian.toFixed(0)} ms, warm ${warm.rps.toFixed(0)} req/s`);
    } finally {
      await system.close();
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  console.log(
    `\nSearch fan-out (site delay ${SITE_DELAY_MS} ms, malls in up to ${FLEET_PROCESSES} processes, ${COLD_KEYWORDS.length} cold searches per row, warm: ${WARM_CONCURRENCY} clients for ${WARM_SECONDS} s)\n`,
  );
  console.log(table(rows));
}
