/**
 * The throughput cost of the public edge: Gatehouse's gateway on the
 * federation workload with the edge off (EDGE_OFF) and on (cost analysis,
 * depth, token, alias and directive limits, per-client and per-user rate
 * limits counted in Redis), side by side in alternating rounds. The edge-on
 * gateway's cost limit is raised over the workload's estimate (about 24,000
 * with lists counted as 10 items) so every answer is checked, not refused;
 * the cost is still computed for every request. Persisted documents are
 * another part of issue 12 and not measured here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/http/freePort.ts';
import { spawnService } from '../system/spawnService.ts';
import { writeWorkloadSupergraph } from './gatewayFederation.ts';
import { WORKLOAD_BODY } from './gatewayWorkload/workloadQuery.ts';
import { compareGateways, summaryRow, type EntrantSummary } from './support/compareGateways.ts';
import { table } from './support/measure.ts';
import { startContender, type Contender } from './support/startContender.ts';

export interface EdgeBenchOptions {
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  /** Where the edge-on gateway counts its rate limits. */
  redisUrl: string;
  log: (line: string) => void;
}

export async function benchGatewayEdge(options: EdgeBenchOptions): Promise<EntrantSummary[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-edge-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const port = await freePort();
    const subgraphsUrl = `http://127.0.0.1:${port}`;
    const workload = await spawnService(
      { name: 'workload-subgraphs', entry: 'bench/gatewayWorkload/main.ts', env: { PORT: `${port}` }, readyUrl: `${subgraphsUrl}/healthz` },
      { logs: { logDir: workDir } },
    );
    started.push(workload);
    const { configPath } = writeWorkloadSupergraph(workDir, subgraphsUrl);
    const edgeOn = {
      GATEWAY_MAX_COST: '100000',
      // Budgets no bench client reaches: every request is still counted in Redis, per client and per user.
      GATEWAY_RATE_LIMIT_PER_CLIENT: '1000000000',
      GATEWAY_RATE_LIMIT_PER_USER: '1000000000',
      GATEWAY_RATE_LIMIT_REDIS_URL: options.redisUrl,
      GATEWAY_MAX_DEPTH: '',
      GATEWAY_MAX_TOKENS: '',
      GATEWAY_MAX_ALIASES: '',
      GATEWAY_MAX_DIRECTIVES: '',
    };
    const contenders: Contender[] = [];
    for (const spec of [{ name: 'edge off' }, { name: 'edge on', env: edgeOn }]) {
      const contender = await startContender({ kind: 'gatehouse', configPath, ...spec }, workDir);
      started.push(contender);
      contenders.push(contender);
    }
    const summaries = await compareGateways({
      entrants: contenders.map((contender) => ({ contender, backendPids: [workload.pid!] })),
      reference: 'edge off',
      body: WORKLOAD_BODY,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      roundSeconds: options.roundSeconds,
      log: options.log,
    });
    console.log(
      `\nThe public edge on the federation workload (${options.connections} connections; ${options.warmupSeconds} s warm-up each, ` +
        `then ${options.rounds} alternating rounds of ${options.roundSeconds} s; medians over rounds; rate limits in Redis at ${options.redisUrl})\n`,
    );
    console.log(
      table(
        summaries.map((summary) =>
          summaryRow(
            summary,
            summaries.find((s) => s.name === 'edge off')!,
          ),
        ),
      ),
    );
    return summaries;
  } finally {
    for (const service of started.reverse()) await service.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
