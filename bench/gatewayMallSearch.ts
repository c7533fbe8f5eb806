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
import { mallTypeName } from '../composition/mallNaming.ts';
import { readSupergraphConfig } from '../composition/readSupergraphConfig.ts';
import { startBenchSystem, type BenchSystem } from './support/benchSystem.ts';
import { compareGateways, pairedRatio, summaryRow, type Entrant, type EntrantSummary } from './support/compareGateways.ts';
import { table } from './support/measure.ts';
import { startContenders, type ContenderSpec } from './support/startContender.ts';

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
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-gateway-malls-'));
  const systems: BenchSystem[] = [];
  // Each system runs the most malls once; a smaller count is a supergraph over its first malls.
  const system = async (name: string, root?: string): Promise<BenchSystem> => {
    const dir = join(workDir, name);
    mkdirSync(dir);
    const started = await startBenchSystem({
      mongoUri: options.mongoUri,
      mallCount: Math.max(...options.mallCounts),
      siteDelayMs: options.siteDelayMs,
      workDir: dir,
      dbPrefix: `gwbench${Date.now()}${name}`,
      fleetProcesses: options.fleetProcesses,
      gateway: false,
      ...(root ? { root } : {}),
    });
    systems.push(started);
    return started;
  };
  try {
    options.log(
      `starting ${Math.max(...options.mallCounts)} malls${options.baselineRoot && options.baselineSystem ? ', twice (this tree and the baseline)' : ''}`,
    );
    const current = await system('current');
    const baseline = options.baselineRoot && options.baselineSystem ? await system('baseline', options.baselineRoot) : null;
    options.log('first (cold) searches, straight to each mall');
    await primeMalls(current.mallUrls);
    if (baseline) await primeMalls(baseline.mallUrls);
    for (const mallCount of options.mallCounts) {
      const summaries = await benchMallCount(mallCount, { current, baseline, workDir }, options);
      const vanilla = summaries.find((s) => s.name === 'vanilla')!;
      const baselineSystem = summaries.find((s) => s.name === 'baseline system');
      for (const summary of summaries) {
        rows.push({
          malls: mallCount,
          ...summaryRow(summary, vanilla),
          ...(baselineSystem ? { 'ratio to baseline system': pairedRatio(summary, baselineSystem).toFixed(2) } : {}),
        });
      }
    }
  } finally {
    for (const started of systems.reverse()) await started.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  console.log(
    `\nWarm mall searches ("${KEYWORD}", cached; ${options.connections} connections; ${options.warmupSeconds} s warm-up each, then ` +
      `${options.rounds} alternating rounds of ${options.roundSeconds} s; malls in up to ${options.fleetProcesses} process(es); ` +
      `"subgraphs CPU" is the mall fleets and catalog)\n`,
  );
  console.log(table(rows));
  return rows;
}

async function benchMallCount(
  mallCount: number,
  systems: { current: BenchSystem; baseline: BenchSystem | null; workDir: string },
  options: MallSearchBenchOptions,
): Promise<EntrantSummary[]> {
  const dir = join(systems.workDir, `${mallCount}-malls`);
  mkdirSync(dir);
  const current = writeSubsetSupergraph(systems.current.supergraphConfig, mallCount, join(dir, 'current'));
  const specs: Array<{ spec: ContenderSpec; system: BenchSystem }> = [
    { spec: { kind: 'gatehouse', name: 'gatehouse', configPath: current.configPath }, system: systems.current },
    { spec: { kind: 'vanilla', name: 'vanilla', supergraphPath: current.supergraphPath }, system: systems.current },
  ];
  if (options.baselineRoot) {
    specs.push({ spec: { kind: 'gatehouse', name: 'baseline gateway', root: options.baselineRoot, configPath: current.configPath }, system: systems.current });
    if (systems.baseline) {
      const { configPath } = writeSubsetSupergraph(systems.baseline.supergraphConfig, mallCount, join(dir, 'baseline'));
      specs.push({ spec: { kind: 'gatehouse', name: 'baseline system', root: options.baselineRoot, configPath }, system: systems.baseline });
    }
  }
  const contenders = await startContenders(
    specs.map(({ spec }) => spec),
    dir,
  );
  const entrants: Entrant[] = contenders.map((contender, i) => {
    const malls = specs[i]!.system.mallUrls.slice(0, mallCount);
    return { contender, backendPids: specs[i]!.system.subgraphPids, subgraphCalls: () => mallSearches(malls) };
  });
  try {
    for (const contender of contenders) await expectComplete(contender.url, mallCount);
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
    for (const { contender } of entrants.reverse()) await contender.stop();
  }
}

/** A supergraph.yaml (and the supergraph composed from it) over the catalog and the first `mallCount` malls of a bench system. */
function writeSubsetSupergraph(configPath: string, mallCount: number, dir: string): { configPath: string; supergraphPath: string } {
  mkdirSync(dir);
  // Bench malls are m1, m2, … (bench/support/mallFleet.ts).
  const kept = new Set(['catalog', ...Array.from({ length: mallCount }, (_, i) => `m${i + 1}`)]);
  const subgraphs = readSupergraphConfig(configPath).filter((subgraph) => kept.has(subgraph.name));
  const entries = subgraphs.map(({ name, url, sdl }) => {
    const file = join(dir, `${name}.graphql`);
    writeFileSync(file, sdl);
    return `  ${name}:\n    routing_url: ${url}\n    schema:\n      file: ${file}`;
  });
  const subsetPath = join(dir, 'supergraph.yaml');
  writeFileSync(subsetPath, `subgraphs:\n${entries.join('\n')}\n`);
  const composed = composeSupergraph(subgraphs);
  if (!composed.ok) throw new Error(`the bench malls do not compose: ${composed.errors.join('; ')}`);
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);
  return { configPath: subsetPath, supergraphPath };
}

/**
 * A first (cold) search fills every mall's cache. Asked of each mall directly,
 * a few at a time and without the gateway's subgraph deadline: on a busy
 * machine thirty crawls at once outlast it. A crawl that fails is retried.
 */
async function primeMalls(mallUrls: string[]): Promise<void> {
  const queue = mallUrls.map((url, i) => ({ url, id: `m${i + 1}` }));
  const worker = async () => {
    for (let mall = queue.shift(); mall; mall = queue.shift()) await primeMall(mall.url, mall.id);
  };
  await Promise.all(Array.from({ length: 3 }, worker));
}

async function primeMall(url: string, id: string): Promise<void> {
  const typeName = mallTypeName(id);
  const body = JSON.stringify({
    query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${typeName} { search(keyword: "${KEYWORD}", first: 10) { offers { title } error { code } } } } }`,
    variables: { r: [{ __typename: typeName, id }] },
  });
  const deadline = Date.now() + 180_000;
  let problem = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(120_000),
      });
      const result = (await response.json()) as { data?: { _entities?: Array<{ search: { offers: unknown[]; error: unknown } | null }> }; errors?: unknown[] };
      const search = result.data?._entities?.[0]?.search;
      if (search && !search.error && search.offers.length > 0) return;
      problem = JSON.stringify(result.errors ?? search).slice(0, 300);
    } catch (error) {
      problem = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`mall ${id} at ${url} did not answer the search "${KEYWORD}" within 3 minutes (${problem}); see its fleet's log`);
}

/** Every mall answers the search through this gateway, from its cache (retried while a busy machine makes one miss the deadline). */
async function expectComplete(url: string, mallCount: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let problem = '';
  while (Date.now() < deadline) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, signal: AbortSignal.timeout(60_000) });
    const result = (await response.json()) as { data?: { malls?: Array<{ search: { offers: unknown[]; error: unknown } | null }> }; errors?: unknown[] };
    const malls = result.data?.malls ?? [];
    const answered = malls.filter((m) => m.search && !m.search.error && m.search.offers.length > 0).length;
    if (!result.errors && answered === mallCount) return;
    problem = `${answered}/${mallCount} malls answered: ${JSON.stringify(result.errors ?? malls.filter((m) => !m.search || m.search.error)).slice(0, 300)}`;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`the search "${KEYWORD}" at ${url} did not complete within a minute (${problem}); see the services' logs`);
}

/** Searches the malls have answered so far (each mall subgraph call asks one), from their metrics. */
async function mallSearches(mallUrls: string[]): Promise<number> {
  const counts = await Promise.all(
    mallUrls.map(async (url) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith('gatehouse_mall_searches_total{'))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
