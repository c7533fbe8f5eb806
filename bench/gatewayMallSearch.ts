/**
 * Warm (cached) searches over 3, 10 and 30 malls, side by side: Gatehouse's
 * gateway, vanilla Apollo Gateway and the baseline commit's gateway on the
 * same mall subgraphs, and the baseline commit's whole system (its gateway,
 * malls, catalog and demo sites), which is "what today's code serves".
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph } from '../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../composition/readSupergraphConfig.ts';
import { startBenchSystem, type BenchSystem } from './support/benchSystem.ts';
import { compareGateways, summaryRow, type Entrant, type EntrantSummary } from './support/compareGateways.ts';
import { median, table } from './support/measure.ts';
import { startContender } from './support/startContender.ts';

const KEYWORD = 'airpods';
const QUERY = `query ($keyword: String!) { malls { id search(keyword: $keyword, first: 10) {
  offers { title price model product { id name } } cached error { code } } } }`;
const BODY = JSON.stringify({ query: QUERY, variables: { keyword: KEYWORD } });

export interface MallSearchBenchOptions {
  mongoUri: string;
  mallCounts: number[];
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  siteDelayMs: number;
  fleetProcesses: number;
  baselineRoot: string | null;
  /** Also run the baseline's own malls, catalog and demo sites behind its gateway. */
  baselineSystem: boolean;
  log: (line: string) => void;
}

export async function benchGatewayMallSearch(options: MallSearchBenchOptions): Promise<Array<Record<string, string | number>>> {
  const rows: Array<Record<string, string | number>> = [];
  for (const mallCount of options.mallCounts) {
    options.log(`${mallCount} malls: starting`);
    const summaries = await benchMallCount(mallCount, options);
    const baselineSystem = summaries.find((s) => s.name === 'baseline system');
    for (const summary of summaries) {
      rows.push({
        malls: mallCount,
        ...summaryRow(summary, 'vanilla'),
        ...(baselineSystem ? { 'ratio to baseline system': pairedRatio(summary, baselineSystem).toFixed(2) } : {}),
      });
    }
  }
  console.log(
    `\nWarm mall searches ("${KEYWORD}", cached; ${options.connections} connections; ${options.warmupSeconds} s warm-up each, then ` +
      `${options.rounds} alternating rounds of ${options.roundSeconds} s; malls in up to ${options.fleetProcesses} process(es); ` +
      `"subgraphs CPU" is the mall fleets and catalog)\n`,
  );
  console.log(table(rows));
  return rows;
}

async function benchMallCount(mallCount: number, options: MallSearchBenchOptions): Promise<EntrantSummary[]> {
  const workDir = mkdtempSync(join(tmpdir(), `gatehouse-bench-gateway-${mallCount}-`));
  const stoppers: Array<() => Promise<void>> = [];
  const system = async (name: string, root?: string): Promise<BenchSystem> => {
    const dir = join(workDir, name);
    mkdirSync(dir);
    const started = await startBenchSystem({
      mongoUri: options.mongoUri,
      mallCount,
      siteDelayMs: options.siteDelayMs,
      workDir: dir,
      dbPrefix: `gwbench${Date.now()}${name}`,
      fleetProcesses: options.fleetProcesses,
      gateway: false,
      ...(root ? { root } : {}),
    });
    stoppers.push(started.close);
    return started;
  };
  const entrants: Entrant[] = [];
  const enter = async (spec: Parameters<typeof startContender>[0], subgraphs: BenchSystem) => {
    const contender = await startContender(spec, workDir);
    stoppers.push(contender.stop);
    entrants.push({ contender, backendPids: subgraphs.subgraphPids });
    return contender;
  };
  try {
    const current = await system('current');
    const supergraphPath = join(workDir, 'supergraph.graphql');
    const composed = composeSupergraph(readSupergraphConfig(current.supergraphConfig));
    if (!composed.ok) throw new Error(`the bench malls do not compose: ${composed.errors.join('; ')}`);
    writeFileSync(supergraphPath, composed.supergraphSdl);

    const gatehouse = await enter({ kind: 'gatehouse', name: 'gatehouse', configPath: current.supergraphConfig }, current);
    await primeSearch(gatehouse.url, mallCount);
    await enter({ kind: 'vanilla', name: 'vanilla', supergraphPath }, current);
    if (options.baselineRoot) {
      await enter({ kind: 'gatehouse', name: 'baseline gateway', root: options.baselineRoot, configPath: current.supergraphConfig }, current);
      if (options.baselineSystem) {
        const baseline = await system('baseline', options.baselineRoot);
        const contender = await enter({ kind: 'gatehouse', name: 'baseline system', root: options.baselineRoot, configPath: baseline.supergraphConfig }, baseline);
        await primeSearch(contender.url, mallCount);
      }
    }
    return await compareGateways({
      entrants,
      reference: 'vanilla',
      body: BODY,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      roundSeconds: options.roundSeconds,
      log: (line) => options.log(`${mallCount} malls: ${line}`),
    });
  } finally {
    for (const stop of stoppers.reverse()) await stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** A first (cold) search fills every mall's cache; a mall that fails it is retried, as a shopper would. */
async function primeSearch(url: string, mallCount: number): Promise<void> {
  let problem = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, signal: AbortSignal.timeout(120_000) });
    const result = (await response.json()) as { data?: { malls?: Array<{ search: { offers: unknown[]; error: unknown } | null }> }; errors?: unknown[] };
    const malls = result.data?.malls ?? [];
    const answered = malls.filter((m) => m.search && !m.search.error && m.search.offers.length > 0).length;
    if (!result.errors && answered === mallCount) return;
    problem = `${answered}/${mallCount} malls answered: ${JSON.stringify(result.errors ?? malls.filter((m) => !m.search || m.search.error)).slice(0, 300)}`;
  }
  throw new Error(`the first search "${KEYWORD}" at ${url} did not complete after 3 tries (${problem}); see the services' logs`);
}

/** Median over rounds of a's requests/s divided by b's in the same round. */
function pairedRatio(a: EntrantSummary, b: EntrantSummary): number {
  return median(a.roundsRps.map((rps, i) => rps / b.roundsRps[i]!));
}
