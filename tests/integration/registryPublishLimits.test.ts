import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { MAX_SDL_BYTES } from '../../registry/http/validateSubgraphInput.ts';
import { startRegistry, type RunningRegistry } from '../../registry/startRegistry.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { startSdlSubgraph, type SdlSubgraph } from '../support/sdlSubgraph.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { silentLogger as quiet } from '../support/logs.ts';

const ADMIN = 'test-admin-token-for-publish-limits';
const hanbit = {
  name: 'hanbit',
  url: 'http://127.0.0.1:4999/hanbit/graphql',
  sdl: mallSdl({ id: 'hanbit', name: 'Hanbit', homepage: 'http://hanbit.example/' }),
};
const outletSdl = mallSdl({ id: 'outlet', name: 'Outlet', homepage: 'http://outlet.example/' });

let mongo: MongoConnection;
let registry: RunningRegistry;
/** Serves the SDL a publish names, so the publish passes the registry's probe. */
let subgraph: SdlSubgraph;

beforeAll(async () => {
  mongo = await createTestDatabase('registry_limits');
  registry = await startRegistry({ db: mongo.db, log: quiet, adminToken: ADMIN, seed: () => [hanbit], port: 0 });
  subgraph = await startSdlSubgraph(outletSdl);
});
afterAll(async () => {
  await registry?.close();
  await subgraph?.close();
  await mongo?.close();
});

const publish = (base: string, name: string, sdl: string) =>
  fetch(`${base}/v1/subgraphs/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ routingUrl: subgraph.url, sdl }),
  });
const revision = async (base: string) => ((await (await fetch(`${base}/v1/supergraph`)).json()) as { revision: number }).revision;

/** Asks /healthz every 20 ms while `work` runs; the slowest answer. */
async function slowestHealthz(base: string, work: () => Promise<void>): Promise<number> {
  let done = false;
  let slowest = 0;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await work();
  } finally {
    done = true;
    await probe;
  }
  return slowest;
}

/** `type A1 { a: A2 } type A2 { a: A3 } …` up to the size limit. */
function referenceChain(): string {
  const parts = ['type Query { a1: A1 }'];
  let bytes = parts[0]!.length;
  for (let i = 1; ; i += 1) {
    const next = `type A${i} { a: A${i + 1} }`;
    if (bytes + next.length + 40 > MAX_SDL_BYTES) return `${parts.join('\n')}\ntype A${i} { a: String }`;
    parts.push(next);
    bytes += next.length + 1;
  }
}

describe('publish limits at the registry', () => {
  it('refuses a reference chain as large as allowed with 422 naming the limit, while /healthz keeps answering', async () => {
    const before = await revision(registry.url);
    const chain = referenceChain();
    // This process is the registry: what /healthz takes here when nothing is published (the machine is shared).
    const quiet = await slowestHealthz(registry.url, () => new Promise((resolve) => setTimeout(resolve, 1500)));
    let response: Response | undefined;
    const slowest = await slowestHealthz(registry.url, async () => {
      response = await publish(registry.url, 'chain', chain);
    });
    expect(response!.status).toBe(422);
    expect(await response!.json()).toMatchObject({
      reason: 'limits',
      error: expect.stringMatching(/^subgraph "chain" has \d+ lexical tokens; a subgraph may have at most 60000/),
    });
    // Before the limits and the worker this publish held the event loop for seconds.
    expect(slowest).toBeLessThan(quiet + 200);
    expect(await revision(registry.url)).toBe(before);
  });

  it('refuses more types than a subgraph may declare with 422 naming the figure', async () => {
    const sdl = ['type Query { t0: T0 }', ...Array.from({ length: 600 }, (_, i) => `type T${i} { f: String }`)].join('\n');
    const response = await publish(registry.url, 'wide', sdl);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: string }).error).toBe(
      'subgraph "wide" declares 601 types; a subgraph may declare at most 250 (split it into several subgraphs or trim it)',
    );
  });

  it('answers 413 to an SDL of 512 KiB and one byte, as documented', async () => {
    const sdl = `type Query { a: String }\n#${'x'.repeat(MAX_SDL_BYTES - 25)}`;
    expect(Buffer.byteLength(sdl)).toBe(MAX_SDL_BYTES + 1);
    const response = await publish(registry.url, 'huge', sdl);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/at most 524288 bytes/);
  });

  it('refuses a change whose composition goes over its time budget, and keeps serving', async () => {
    const strict = await startRegistry({ db: mongo.db, log: quiet, adminToken: ADMIN, port: 0, composeBudget: { timeoutMs: 1, maxHeapMb: 512 } });
    try {
      const before = await revision(strict.url);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const response = await publish(strict.url, 'outlet', outletSdl);
        expect(response.status).toBe(422);
        expect(await response.json()).toMatchObject({
          reason: 'limits',
          error: 'composing the supergraph with this change took longer than its budget of 1 ms and was stopped',
        });
      }
      expect((await fetch(`${strict.url}/healthz`)).status).toBe(200);
      expect(await revision(strict.url)).toBe(before);
      // The same change within the usual budget goes through.
      expect((await publish(registry.url, 'outlet', outletSdl)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
