import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../lib/http/freePort.ts';
import { waitFor } from './waitFor.ts';

export const JAEGER_VERSION = 'v1.76.0';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Jaeger {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT: the OTLP/HTTP receiver. */
  otlpUrl: string;
  /** The query API: `${queryUrl}/api/traces/<id>`. */
  queryUrl: string;
  close(): Promise<void>;
}

/** Whether the tracing tests can run: Go builds Jaeger (once per machine) unless it is cached already. */
export function jaegerAvailable(): boolean {
  return existsSync(jaegerBinaryPath()) || spawnSync('go', ['version']).status === 0;
}

export function jaegerBinaryPath(): string {
  if (process.env.JAEGER_BIN) return process.env.JAEGER_BIN;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'gatehouse', `jaeger-${JAEGER_VERSION}`, 'jaeger');
}

/** Builds Jaeger's all-in-one with scripts/build-jaeger.sh unless cached (minutes, once per machine). */
export async function ensureJaegerBinary(): Promise<string> {
  const binary = jaegerBinaryPath();
  if (existsSync(binary)) return binary;
  const build = spawn('bash', [join(repoRoot, 'scripts/build-jaeger.sh'), binary], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, JAEGER_VERSION },
  });
  const code = await new Promise<number | null>((done) => build.once('exit', done));
  if (code !== 0 || !existsSync(binary)) throw new Error(`could not build Jaeger ${JAEGER_VERSION} with scripts/build-jaeger.sh; run it by hand to see why`);
  return binary;
}

/**
 * A real Jaeger (v2, in-memory storage) on loopback: an OTLP/HTTP receiver
 * and the query API, each on a free port; nothing else listens.
 */
export async function startJaeger(): Promise<Jaeger> {
  const binary = await ensureJaegerBinary();
  const [otlpPort, queryPort, queryGrpcPort, healthPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-jaeger-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${healthPort}
  jaeger_query:
    storage:
      traces: memory_store
    http:
      endpoint: 127.0.0.1:${queryPort}
    grpc:
      endpoint: 127.0.0.1:${queryGrpcPort}
  jaeger_storage:
    backends:
      memory_store:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memory_store
`,
  );
  const child: ChildProcess = spawn(binary, ['--config', `file:${config}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const close = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'Jaeger to answer on its query API',
      async () => {
        if (child.exitCode !== null) throw new Error(`Jaeger exited with ${child.exitCode}:\n${output}`);
        return (await fetch(`${queryUrl}/api/services`).catch(() => null))?.ok;
      },
      60_000,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { otlpUrl: `http://127.0.0.1:${otlpPort}`, queryUrl, close };
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; spanID: string }>;
  processID: string;
  tags: Array<{ key: string; value: unknown }>;
}

export interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** One trace as Jaeger's query API returns it, or null while it has none. */
export async function fetchTrace(jaeger: Jaeger, traceId: string): Promise<JaegerTrace | null> {
  const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
  if (!response.ok) return null;
  const body = (await response.json()) as { data?: JaegerTrace[] };
  return body.data?.[0] ?? null;
}
