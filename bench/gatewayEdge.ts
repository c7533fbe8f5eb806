/**
 * The throughput cost of the public edge: Gatehouse's gateway on the
 * federation workload with the edge off (EDGE_OFF, the query sent as text)
 * and on, side by side in one run, alternating rounds, with the ratio of
 * requests/s per round. Edge on: the workload's operation published to a
 * registry in a manifest and sent by its persisted id (no client may send
 * free-form text), the gateway following that registry (manifests and usage
 * reports included); cost analysis, depth, token, alias and directive
 * limits; per-client and per-user rate limits counted in Redis, set high
 * enough that none refuses. The cost limit is raised over the workload's
 * estimate (about 24,000 with lists counted as 10 items) so every answer is
 * checked, not refused; the cost is still computed for every request.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/http/freePort.ts';
import { operationId } from '../lib/operations/operationId.ts';
import { spawnService } from '../system/spawnService.ts';
import { writeWorkloadSupergraph } from './gatewayFederation.ts';
import { WORKLOAD_BODY, WORKLOAD_QUERY } from './gatewayWorkload/workloadQuery.ts';
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
  /** The registry's database, where the manifest is published. */
  mongoUri: string;
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
    const registryUrl = await startManifestRegistry({ ...options, configPath, workDir, started });
    const edgeOn = {
      // The supergraph and the manifests from the registry; only published operations run, by id.
      GATEHOUSE_REGISTRY_URL: registryUrl,
      GATEWAY_FREEFORM_CLIENTS: 'no-client-of-this-bench',
      GATEWAY_APQ: 'false',
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
    await expectTrustedDocumentsOnly(contenders.find((c) => c.name === 'edge on')!.url);
    const summaries = await compareGateways({
      entrants: contenders.map((contender) => ({
        contender,
        backendPids: [workload.pid!],
        ...(contender.name === 'edge on' ? { body: byPersistedId(WORKLOAD_BODY, WORKLOAD_QUERY) } : {}),
      })),
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
        `then ${options.rounds} alternating rounds of ${options.roundSeconds} s; medians over rounds; edge on: the operation by persisted id from a published manifest, ` +
        `rate limits in Redis at ${options.redisUrl})\n`,
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
    const on = summaries.find((summary) => summary.name === 'edge on');
    if (on) console.log(`\nedge on / edge off: ${on.ratio.toFixed(2)}x the requests/s (median of the rounds' ratios)`);
    return summaries;
  } finally {
    for (const service of started.reverse()) await service.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const ADMIN_TOKEN = 'bench-edge-admin-token';

/** A registry seeded with the workload's subgraphs, holding a manifest with the workload's operation; its URL. */
async function startManifestRegistry(options: {
  mongoUri: string;
  configPath: string;
  workDir: string;
  started: Array<{ stop(): Promise<void> }>;
  log: (line: string) => void;
}): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const registry = await spawnService(
    {
      name: 'registry',
      entry: 'registry/main.ts',
      env: {
        PORT: `${port}`,
        MONGODB_URI: options.mongoUri,
        // One database for every run: the seed applies to an empty registry, and the manifest is replaced.
        MONGODB_DB_PREFIX: 'bench_edge',
        GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN,
        SUPERGRAPH_CONFIG: options.configPath,
      },
      readyUrl: `${url}/healthz`,
    },
    { logs: { logDir: options.workDir } },
  );
  options.started.push(registry);
  const manifest = join(options.workDir, 'persisted-query-manifest.json');
  writeFileSync(
    manifest,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: operationId(WORKLOAD_QUERY), name: 'WorkloadQuery', type: 'query', body: WORKLOAD_QUERY }],
    }),
  );
  const published = spawnSync(process.execPath, ['bin/gatehouse.js', 'operations', 'publish', '--client', 'bench', '--version', '1.0.0', manifest], {
    env: { ...process.env, GATEHOUSE_REGISTRY_URL: url, GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN, GATEHOUSE_TOKEN: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (published.status !== 0) throw new Error(`publishing the workload's manifest failed: ${published.stderr || published.stdout}`);
  options.log(`registry at ${url} holds the workload's operation as ${operationId(WORKLOAD_QUERY).slice(0, 12)}…`);
  return url;
}

/** The workload's request with its operation named by sha256 instead of sent as text. */
function byPersistedId(body: string, query: string): string {
  const { query: text, ...rest } = JSON.parse(body) as { query: string } & Record<string, unknown>;
  if (text !== query) throw new Error('the workload body does not carry WORKLOAD_QUERY; publish the text it sends');
  return JSON.stringify({ ...rest, extensions: { persistedQuery: { version: 1, sha256Hash: operationId(query) } } });
}

/** The edge-on gateway must refuse text no manifest holds, or the bench would not be measuring trusted documents. */
async function expectTrustedDocumentsOnly(url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
  const text = await response.text();
  if (response.status !== 400 || !text.includes('PERSISTED_QUERY_ID_REQUIRED')) {
    throw new Error(
      `the edge-on gateway ran the workload sent as text (${response.status}: ${text.slice(0, 200)}); it should take published operations by id only`,
    );
  }
}
