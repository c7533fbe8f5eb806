/**
 * A gateway under comparison, as its own process on a free port: Gatehouse's
 * gateway from a source tree (this one or a baseline checkout) composing a
 * `supergraph.yaml`, or vanilla Apollo Gateway over a supergraph file.
 */
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/http/freePort.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';

export interface Contender {
  name: string;
  /** The GraphQL endpoint. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export type ContenderSpec =
  | {
      kind: 'gatehouse';
      name: string;
      /** Source tree holding gateway/main.ts; default this one. */
      root?: string;
      configPath: string;
      /** Extra variables; the edge is off unless they turn it on (EDGE_OFF). */
      env?: Record<string, string>;
    }
  | { kind: 'vanilla'; name: string; supergraphPath: string };

/**
 * The public edge's limits and rate limits off: engines are compared with
 * vanilla Apollo Gateway, which has none (and the workload's estimated cost is
 * over the default limit); `npm run bench gateway` with
 * BENCH_GATEWAY_PARTS=edge measures the edge itself.
 */
export const EDGE_OFF: Record<string, string> = {
  GATEWAY_MAX_COST: '0',
  GATEWAY_MAX_DEPTH: '0',
  GATEWAY_MAX_TOKENS: '0',
  GATEWAY_MAX_ALIASES: '0',
  GATEWAY_MAX_DIRECTIVES: '0',
  GATEWAY_RATE_LIMIT_PER_CLIENT: '0',
  GATEWAY_RATE_LIMIT_PER_USER: '0',
};

export async function startContender(spec: ContenderSpec, logDir: string): Promise<Contender> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let service: ServiceProcess;
  if (spec.kind === 'gatehouse') {
    service = await spawnService(
      {
        name: spec.name,
        entry: spec.root ? resolve(spec.root, 'gateway/main.ts') : 'gateway/main.ts',
        env: { PORT: `${port}`, SUPERGRAPH_CONFIG: spec.configPath, ...EDGE_OFF, ...spec.env },
        readyUrl: `${base}/readyz`,
      },
      { logs: { logDir }, readyTimeoutMs: 120_000 },
    );
  } else {
    service = await spawnService(
      { name: spec.name, entry: 'bench/vanilla/main.ts', env: { PORT: `${port}`, SUPERGRAPH_PATH: spec.supergraphPath } },
      { logs: { logDir } },
    );
    // Apollo's standalone server has no health route: ready once it answers a query.
    await waitUntilAnswering(`${base}/graphql`, 120_000, join(logDir, `${spec.name}.log`)).catch(async (error: unknown) => {
      await service.stop();
      throw error;
    });
  }
  if (service.pid === undefined) throw new Error(`${spec.name} has no process id; see ${join(logDir, `${spec.name}.log`)}`);
  return { name: spec.name, url: `${base}/graphql`, pid: service.pid, stop: () => service.stop() };
}

async function waitUntilAnswering(url: string, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(2000),
      });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the gateway at ${url} did not answer a query within ${timeoutMs / 1000} s; see ${logFile}`);
}

/** Several contenders started at once, in the given order; if one fails to start, the others are stopped. */
export async function startContenders(specs: ContenderSpec[], logDir: string): Promise<Contender[]> {
  const settled = await Promise.allSettled(specs.map((spec) => startContender(spec, logDir)));
  const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((contender) => contender.stop()));
    throw failed.reason;
  }
  return started;
}
