/**
 * What tracing costs the gateway: Gatehouse's gateway on the federation
 * workload with tracing off (no OTLP endpoint: the SDK is not loaded) and on
 * (every request sampled, its spans exported over OTLP/HTTP protobuf), side by
 * side in alternating rounds. The spans go to an OTLP sink this bench starts
 * (bench/support/otlpSink.ts: it counts them and stores nothing), or to a real
 * collector or Jaeger at BENCH_OTLP_ENDPOINT. Only the gateway is traced: the
 * workload's subgraphs are the benchmark's own, not Gatehouse services.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/http/freePort.ts';
import { spawnService } from '../system/spawnService.ts';
import { writeWorkloadSupergraph } from './gatewayFederation.ts';
import { WORKLOAD_BODY } from './gatewayWorkload/workloadQuery.ts';
import { compareGateways, summaryRow, type EntrantSummary } from './support/compareGateways.ts';
import { table } from './support/measure.ts';
import { startOtlpSink, type OtlpSink, type OtlpSinkCounts } from './support/otlpSink.ts';
import { startContender, type Contender } from './support/startContender.ts';

export interface TracingBenchOptions {
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  /** A real collector's OTLP/HTTP endpoint; unset, the bench's own sink. */
  otlpEndpoint?: string;
  log: (line: string) => void;
}

/** Requests sent one by one to count the spans of one request. */
const PROBE_REQUESTS = 10;

export async function benchGatewayTracing(options: TracingBenchOptions): Promise<EntrantSummary[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-tracing-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  const sink = options.otlpEndpoint ? null : await startOtlpSink();
  try {
    const port = await freePort();
    const subgraphsUrl = `http://127.0.0.1:${port}`;
    const workload = await spawnService(
      {
        name: 'workload-subgraphs',
        entry: 'bench/gatewayWorkload/main.ts',
        env: { PORT: `${port}`, OTEL_EXPORTER_OTLP_ENDPOINT: '' },
        readyUrl: `${subgraphsUrl}/healthz`,
      },
      { logs: { logDir: workDir } },
    );
    started.push(workload);
    const { configPath } = writeWorkloadSupergraph(workDir, subgraphsUrl);
    const endpoint = options.otlpEndpoint ?? sink!.url;
    // Off is what an operator gets with no endpoint set, whatever this shell exports.
    const off = { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' };
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_SERVICE_NAME: 'gateway-bench' };
    const contenders: Contender[] = [];
    for (const spec of [
      { name: 'tracing off', env: off },
      { name: 'tracing on', env: on },
    ]) {
      const contender = await startContender({ kind: 'gatehouse', configPath, ...spec }, workDir);
      started.push(contender);
      contenders.push(contender);
    }
    const tracedUrl = contenders[1]!.url;
    const perRequest = sink ? await spansPerRequest(sink, tracedUrl) : null;
    const before = sink?.counts();
    const summaries = await compareGateways({
      entrants: contenders.map((contender) => ({ contender, backendPids: [workload.pid!] })),
      reference: 'tracing off',
      body: WORKLOAD_BODY,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      roundSeconds: options.roundSeconds,
      log: options.log,
    });
    console.log(
      `\nTracing's cost on the federation workload (${options.connections} connections; ${options.warmupSeconds} s warm-up each, ` +
        `then ${options.rounds} alternating rounds of ${options.roundSeconds} s; medians over rounds; ` +
        `spans to ${sink ? "the bench's OTLP sink" : endpoint})\n`,
    );
    const tracingOff = summaries.find((s) => s.name === 'tracing off')!;
    console.log(table(summaries.map((summary) => summaryRow(summary, tracingOff))));
    const tracingOn = summaries.find((s) => s.name === 'tracing on')!;
    console.log(
      `\n  tracing on / off: ${tracingOn.ratio.toFixed(3)} of the requests/s (median of per-round ratios), ` +
        `${(tracingOn.gatewayCpuMsPerResponse / tracingOff.gatewayCpuMsPerResponse).toFixed(3)}x the gateway CPU per response`,
    );
    if (sink && perRequest !== null) console.log(`  ${exported(sink.counts(), before!, perRequest)}`);
    const dropped = droppedSpans(join(workDir, 'tracing on.log'));
    console.log(
      dropped.length > 0
        ? `  the traced gateway dropped spans (its export queue was full): ${dropped.join('; ')}`
        : '  the traced gateway reported no dropped spans',
    );
    return summaries;
  } finally {
    for (const service of started.reverse()) await service.stop();
    await sink?.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Spans one request makes, from a few sent one at a time once the gateway's batch has gone out. */
async function spansPerRequest(sink: OtlpSink, url: string): Promise<number> {
  await settled(sink);
  const before = sink.counts().spans;
  for (let i = 0; i < PROBE_REQUESTS; i++) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: WORKLOAD_BODY });
    await response.arrayBuffer();
  }
  // The SDK's batch goes out within its schedule delay (OTEL_BSP_SCHEDULE_DELAY, 5 s by default).
  await settled(sink, 7000);
  return (sink.counts().spans - before) / PROBE_REQUESTS;
}

/** Until the sink's span count has not moved for `quietMs`. */
async function settled(sink: OtlpSink, quietMs = 1000): Promise<void> {
  let last = sink.counts().spans;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = sink.counts().spans;
    if (now !== last) [last, quietSince] = [now, Date.now()];
  }
}

function exported(after: OtlpSinkCounts, before: OtlpSinkCounts, perRequest: number): string {
  const spans = after.spans - before.spans;
  const mib = (after.bytes - before.bytes) / 1024 / 1024;
  return (
    `${perRequest.toFixed(1)} spans per request (${PROBE_REQUESTS} sent one by one); during the load the sink received ` +
    `${spans} spans in ${after.exports - before.exports} exports, ${mib.toFixed(1)} MiB`
  );
}

/** The SDK's "Dropped N spans" warnings in the traced gateway's log. */
function droppedSpans(logFile: string): string[] {
  try {
    return readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('Dropped'))
      .map((line) => /Dropped \d+ spans/.exec(line)?.[0] ?? line.slice(0, 120));
  } catch {
    return [];
  }
}
