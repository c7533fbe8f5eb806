import { DEV_ADMIN_TOKEN } from '../../registry/http/changeRights.ts';
import type { SdlSubgraph } from './sdlSubgraph.ts';

export const WARM_SEARCH = '{ malls { id search(keyword: "airpods", first: 1) { cached } } }';

export interface SearchLatencies {
  latencies: number[];
  failures: number;
  ms: number;
}

export interface PublishUnderLoad {
  idle: SearchLatencies;
  /** While the subgraph was published and deleted `cycles` times. */
  publishing: SearchLatencies;
  /** From each publish's answer to the gateway serving it. */
  toServed: number[];
  /** The registry's slowest /healthz answer meanwhile (Infinity if one failed). */
  slowestHealthz: number;
}

/**
 * Closed-loop searches of one cached keyword at the gateway for `idleMs`,
 * then the same load while `subgraph` (serving `sdl`) is published as
 * `largest` and deleted again `cycles` times, each time until the gateway
 * serves the change.
 */
export async function measurePublishUnderLoad(options: {
  gatewayUrl: string;
  registryUrl: string;
  subgraph: SdlSubgraph;
  sdl: string;
  clients: number;
  idleMs: number;
  cycles: number;
}): Promise<PublishUnderLoad> {
  const { gatewayUrl, registryUrl } = options;
  await until(async () => (await search(gatewayUrl)) === 'ok', 'a first search');
  await (await searchLoad(gatewayUrl, options.clients)).stopAfter(1000);
  const idle = await (await searchLoad(gatewayUrl, options.clients)).stopAfter(options.idleMs);

  const healthz = healthzWatch(registryUrl);
  const load = await searchLoad(gatewayUrl, options.clients);
  const toServed: number[] = [];
  let stopped: [number, SearchLatencies] | undefined;
  try {
    for (let cycle = 0; cycle < options.cycles; cycle += 1) {
      const publishAt = performance.now();
      await registryCall(registryUrl, 'PUT', { routingUrl: options.subgraph.url, sdl: options.sdl });
      await until(async () => (await servedSubgraphs(gatewayUrl)).includes('largest'), 'the gateway to serve the published subgraph');
      toServed.push(performance.now() - publishAt);
      await registryCall(registryUrl, 'DELETE');
      await until(async () => !(await servedSubgraphs(gatewayUrl)).includes('largest'), 'the gateway to drop it');
    }
  } finally {
    // Stopped either way, so none of their requests outlives the system.
    stopped = await Promise.all([healthz.stop(), load.stopAfter(0)]);
  }
  return { idle, publishing: stopped[1], toServed, slowestHealthz: stopped[0] };
}

async function search(gatewayUrl: string): Promise<'ok' | 'failed'> {
  try {
    const response = await fetch(`${gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: WARM_SEARCH }) });
    const body = (await response.json()) as { errors?: unknown[] };
    return response.status === 200 && !body.errors?.length ? 'ok' : 'failed';
  } catch {
    return 'failed';
  }
}

async function searchLoad(gatewayUrl: string, clients: number): Promise<{ stopAfter(ms: number): Promise<SearchLatencies> }> {
  let running = true;
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const client = async () => {
    while (running) {
      const at = performance.now();
      if ((await search(gatewayUrl)) === 'failed') failures += 1;
      latencies.push(performance.now() - at);
    }
  };
  const clientsRunning = Array.from({ length: clients }, client);
  return {
    async stopAfter(ms) {
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      running = false;
      await Promise.all(clientsRunning);
      return { latencies, failures, ms: performance.now() - started };
    },
  };
}

function healthzWatch(registryUrl: string): { stop(): Promise<number> } {
  let running = true;
  let slowest = 0;
  const loop = (async () => {
    while (running) {
      const at = performance.now();
      // A refused connection counts as slow as it gets; it must not end the run.
      const answered = await fetch(`${registryUrl}/healthz`).then((r) => r.ok, () => false);
      slowest = Math.max(slowest, answered ? performance.now() - at : Infinity);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return slowest;
    },
  };
}

async function servedSubgraphs(gatewayUrl: string): Promise<string[]> {
  const ready = (await (await fetch(`${gatewayUrl}/readyz`)).json()) as { supergraph?: { subgraphs?: string[] } };
  return ready.supergraph?.subgraphs ?? [];
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function registryCall(registryUrl: string, method: 'PUT' | 'DELETE', body?: unknown): Promise<void> {
  // Deleting it removes fields, which only an allowed breaking change may.
  const response = await fetch(`${registryUrl}/v1/subgraphs/largest${method === 'DELETE' ? '?allowBreaking=true' : ''}`, {
    method,
    headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`the registry answered ${method} with ${response.status}: ${(await response.text()).slice(0, 300)}`);
}
