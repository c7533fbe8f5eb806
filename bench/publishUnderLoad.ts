/**
 * Publishing cannot hurt serving: search latency at the gateway while the
 * largest subgraph the registry accepts is published and deleted, against
 * quiet windows of the same load in between; the registry's /healthz
 * meanwhile; and what building that supergraph costs a gateway's serving thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph } from '../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../composition/readSupergraphConfig.ts';
import { buildValidatedPartsInSlices } from '../gateway/supergraph/supergraphVersion.ts';
import { envInt } from '../lib/env.ts';
import { startSystem } from '../system/startSystem.ts';
import { largestSdl } from '../tests/support/largestSdl.ts';
import { measurePublishUnderLoad, type SearchLatencies } from '../tests/support/publishUnderLoad.ts';
import { startSdlSubgraph } from '../tests/support/sdlSubgraph.ts';
import { median, percentile, table } from './support/measure.ts';

/** Closed-loop search clients. */
const CLIENTS = envInt('BENCH_PUBLISH_CLIENTS', 4);
/** The quiet windows' length in all, one before each cycle. */
const IDLE_MS = envInt('BENCH_PUBLISH_IDLE_MS', 15_000);
/** Publish/delete cycles of the largest subgraph under the same load. */
const CYCLES = envInt('BENCH_PUBLISH_CYCLES', 3);

/** The serving thread's share of switching to the largest supergraph: each slice, in this process. */
async function mainThreadBuild(sdl: string): Promise<{ total: number; slices: number[] }> {
  const base = readSupergraphConfig('supergraph.yaml');
  const composed = composeSupergraph([...base, { name: 'largest', url: 'http://127.0.0.1:1/graphql', sdl }]);
  if (!composed.ok) throw new Error(`the largest subgraph does not compose: ${composed.errors.join('; ')}`);
  let best: { total: number; slices: number[] } | null = null;
  for (let run = 0; run < 3; run += 1) {
    const slices: number[] = [];
    let started = performance.now();
    await buildValidatedPartsInSlices(composed.supergraphSdl, async () => {
      slices.push(performance.now() - started);
      await new Promise((resolve) => setImmediate(resolve));
      started = performance.now();
    });
    slices.push(performance.now() - started);
    const total = slices.reduce((a, b) => a + b, 0);
    if (!best || total < best.total) best = { total, slices };
  }
  return best!;
}

export async function benchPublishUnderLoad(mongoUri: string): Promise<void> {
  const sdl = largestSdl();
  const build = await mainThreadBuild(sdl);
  console.log(
    `largest allowed subgraph: ${Buffer.byteLength(sdl)} bytes; a gateway's serving thread builds its supergraph in ${build.total.toFixed(0)} ms, ` +
      `in ${build.slices.length} slices (${build.slices.map((s) => s.toFixed(0)).join(', ')} ms; best of 3 warm runs)`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-publish-'));
  const system = await startSystem({
    mongoUri,
    dataDir: dir,
    logs: { logDir: dir },
    env: { MONGODB_DB_PREFIX: `benchpub${Date.now().toString(36)}`, LOG_LEVEL: 'silent' },
  });
  const subgraph = await startSdlSubgraph(sdl);
  try {
    const result = await measurePublishUnderLoad({
      gatewayUrl: system.gatewayUrl,
      registryUrl: system.registryUrl,
      subgraph,
      sdl,
      clients: CLIENTS,
      idleMs: IDLE_MS,
      cycles: CYCLES,
    });
    const row = (what: string, r: SearchLatencies) => ({
      what,
      searches: r.latencies.length,
      'req/s': Math.round(r.latencies.length / (r.ms / 1000)),
      'p50 ms': median(r.latencies).toFixed(1),
      'p99 ms': percentile(r.latencies, 99).toFixed(1),
      'max ms': percentile(r.latencies, 100).toFixed(1),
      failed: r.failures,
    });
    console.log(table([row('quiet windows', result.idle), row(`${CYCLES} publish/delete cycles of the largest subgraph`, result.publishing)]));
    const ratio = percentile(result.publishing.latencies, 99) / percentile(result.idle.latencies, 99);
    console.log(`search p99 while publishing / quiet: ${ratio.toFixed(2)}× (goal: at most 2×)`);
    console.log(`machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    console.log(
      `publish → served by the gateway: ${result.toServed.map((ms) => ms.toFixed(0)).join(', ')} ms; slowest registry /healthz meanwhile: ${result.slowestHealthz.toFixed(0)} ms`,
    );
  } finally {
    await subgraph.close();
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
