/**
 * The public federation gateway benchmark's workload (four subgraphs, one
 * query, ~87 KB per response) through Gatehouse's gateway, vanilla Apollo
 * Gateway and, when given, a baseline commit's gateway, side by side.
 *
 * Processes: the four subgraphs share one process, each gateway has its own,
 * and the load generator runs in this one. Nothing is pinned to a core: on a
 * 2-core machine the gateway under load, the subgraphs and the load generator
 * share both cores with whatever else runs, which the CPU-per-response
 * figures are least sensitive to.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph } from '../composition/composeSupergraph.ts';
import { freePort } from '../lib/http/freePort.ts';
import { spawnService, type ServiceProcess } from '../system/spawnService.ts';
import { WORKLOAD_BODY } from './gatewayWorkload/workloadQuery.ts';
import { WORKLOAD_SDL, WORKLOAD_SUBGRAPH_NAMES } from './gatewayWorkload/workloadSubgraphs.ts';
import { compareGateways, summaryRow, type EntrantSummary } from './support/compareGateways.ts';
import { table } from './support/measure.ts';
import { startContenders } from './support/startContender.ts';

export interface FederationBenchOptions {
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  /** Source tree of the baseline commit, if one is compared. */
  baselineRoot: string | null;
  log: (line: string) => void;
}

export async function benchGatewayFederation(options: FederationBenchOptions): Promise<EntrantSummary[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-federation-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const port = await freePort();
    const subgraphsUrl = `http://127.0.0.1:${port}`;
    const workload: ServiceProcess = await spawnService(
      { name: 'workload-subgraphs', entry: 'bench/gatewayWorkload/main.ts', env: { PORT: `${port}` }, readyUrl: `${subgraphsUrl}/healthz` },
      { logs: { logDir: workDir } },
    );
    started.push(workload);
    const { configPath, supergraphPath } = writeWorkloadSupergraph(workDir, subgraphsUrl);

    const contenders = await startContenders(
      [
        { kind: 'gatehouse', name: 'gatehouse', configPath },
        { kind: 'vanilla', name: 'vanilla', supergraphPath },
        ...(options.baselineRoot ? [{ kind: 'gatehouse' as const, name: 'baseline', root: options.baselineRoot, configPath }] : []),
      ],
      workDir,
    );
    started.push(...contenders);

    const summaries = await compareGateways({
      entrants: contenders.map((contender) => ({ contender, backendPids: [workload.pid!], subgraphCalls: () => totalCalls(subgraphsUrl) })),
      reference: 'vanilla',
      body: WORKLOAD_BODY,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      roundSeconds: options.roundSeconds,
      log: options.log,
    });
    console.log(
      `\nFederation workload (graphql-gateways-benchmark's shape: 4 subgraphs in one process, one query, ${options.connections} connections; ` +
        `${options.warmupSeconds} s warm-up each, then ${options.rounds} alternating rounds of ${options.roundSeconds} s; medians over rounds)\n`,
    );
    const vanilla = summaries.find((summary) => summary.name === 'vanilla')!;
    console.log(table(summaries.map((summary) => summaryRow(summary, vanilla))));
    return summaries;
  } finally {
    for (const service of started.reverse()) await service.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The four SDL files, a supergraph.yaml naming them, and the supergraph composed from it (as Gatehouse composes it). */
export function writeWorkloadSupergraph(workDir: string, subgraphsUrl: string): { configPath: string; supergraphPath: string } {
  const subgraphs = WORKLOAD_SUBGRAPH_NAMES.map((name) => ({ name, url: `${subgraphsUrl}/${name}/graphql`, sdl: WORKLOAD_SDL[name] }));
  const entries = subgraphs.map(({ name, url, sdl }) => {
    const file = join(workDir, `${name}.graphql`);
    writeFileSync(file, sdl);
    return `  ${name}:\n    routing_url: ${url}\n    schema:\n      file: ${file}`;
  });
  const configPath = join(workDir, 'supergraph.yaml');
  writeFileSync(configPath, `subgraphs:\n${entries.join('\n')}\n`);
  const composed = composeSupergraph(subgraphs);
  if (!composed.ok) throw new Error(`the workload subgraphs do not compose: ${composed.errors.join('; ')}`);
  const supergraphPath = join(workDir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);
  return { configPath, supergraphPath };
}

async function totalCalls(subgraphsUrl: string): Promise<number> {
  const response = await fetch(`${subgraphsUrl}/stats`);
  const { calls } = (await response.json()) as { calls: Record<string, number> };
  return Object.values(calls).reduce((a, b) => a + b, 0);
}
