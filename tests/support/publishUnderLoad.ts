import { DEV_ADMIN_TOKEN } from '../../registry/http/changeRights.ts';
import type { SdlSubgraph } from './sdlSubgraph.ts';
import { waitFor } from './waitFor.ts';

/** A publish of the largest subgraph composes for tens of seconds on a crowded machine. */
const PUBLISH_TIMEOUT_MS = 90_000;

export const WARM_SEARCH = '{ malls { id search(keyword: "airpods", first: 1) { cached } } }';

export interface SearchLatencies {
  latencies: number[];
  failures: number;
  ms: number;
}

export interface PublishUnderLoad {
  /** The quiet windows. */
  idle: SearchLatencies;
  /** From each publish until the gateway served it and its deletion went live too. */
  publishing: SearchLatencies;
  /** From each publish's answer to the gateway serving it. */
  toServed: number[];
  /** The registry's slowest /healthz answer over the whole run (Infinity if one failed). */
  slowestHealthz: number;
}

/**
 * Closed-loop searches of one cached keyword at the gateway, alternating
 * quiet windows (`idleMs` in all) with publishing `subgraph` (serving `sdl`)
 * as `largest` and deleting it again, each time until the gateway serves the
 * change, `cycles` times. Interleaved, so load from elsewhere on the machine
 * weighs on both phases alike; a search counts for the phase it started in.
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
  await waitFor('a first search', async () => (await search(gatewayUrl)) === 'ok', PUBLISH_TIMEOUT_MS);
  const phases = { idle: emptyLatencies(), publishing: emptyLatencies() };
  let phase: keyof typeof phases | null = null;
  let running = true;
  const client = async () => {
    while (running) {
      const during = phase;
      const at = performance.now();
      const outcome = await search(gatewayUrl);
      if (!during) continue;
      phases[during].latencies.push(performance.now() - at);
      if (outcome === 'failed') phases[during].failures += 1;
    }
  };
  const clients = Array.from({ length: options.clients }, client);
  const healthz = healthzWatch(registryUrl);
  const toServed: number[] = [];
  const timed = async (name: keyof typeof phases, work: () => Promise<void>) => {
    phase = name;
    const started = performance.now();
    await work();
    phases[name].ms += performance.now() - started;
    phase = null;
  };
  let slowestHealthz = Infinity;
  try {
    // Warm: the keyword cached in every mall, the query planned.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (let cycle = 0; cycle < options.cycles; cycle += 1) {
      await timed('idle', () => new Promise((resolve) => setTimeout(resolve, options.idleMs / options.cycles)));
      await timed('publishing', async () => {
        const publishAt = performance.now();
        await registryCall(registryUrl, 'PUT', { routingUrl: options.subgraph.url, sdl: options.sdl });
        await waitFor('the gateway to serve the published subgraph', async () => (await servedSubgraphs(gatewayUrl)).includes('largest'), PUBLISH_TIMEOUT_MS);
        toServed.push(performance.now() - publishAt);
        await registryCall(registryUrl, 'DELETE');
        await waitFor('the gateway to drop it', async () => !(await servedSubgraphs(gatewayUrl)).includes('largest'), PUBLISH_TIMEOUT_MS);
      });
    }
  } finally {
    // Stopped either way, so none of their requests outlives the system.
    running = false;
    await Promise.all(clients);
    slowestHealthz = await healthz.stop();
  }
  return { ...phases, toServed, slowestHealthz };
}

function emptyLatencies(): SearchLatencies {
  return { latencies: [], failures: 0, ms: 0 };
}

async function search(gatewayUrl: string): Promise<'ok' | 'failed'> {
  try {
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: WARM_SEARCH }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    return response.status === 200 && !body.errors?.length ? 'ok' : 'failed';
  } catch {
    return 'failed';
  }
}

function healthzWatch(registryUrl: string): { stop(): Promise<number> } {
  let running = true;
  let slowest = 0;
  const loop = (async () => {
    while (running) {
      const at = performance.now();
      // A refused connection counts as slow as it gets; it must not end the run.
      const answered = await fetch(`${registryUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
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

async function registryCall(registryUrl: string, method: 'PUT' | 'DELETE', body?: unknown): Promise<void> {
  // Deleting it removes fields, which only an allowed breaking change may.
  const response = await fetch(`${registryUrl}/v1/subgraphs/largest${method === 'DELETE' ? '?allowBreaking=true' : ''}`, {
    method,
    headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`the registry answered ${method} with ${response.status}: ${(await response.text()).slice(0, 300)}`);
}
