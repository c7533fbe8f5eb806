import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { createGateway } from '../../gateway/createGateway.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';

/**
 * A gateway in this process switched between two supergraphs (with and
 * without a fourth mall) `cycles` times, a query on each: its heap after a
 * full GC at the checkpoints. RSS alone cannot tell a leak from V8 keeping
 * freed pages, so this needs `node --expose-gc` (the bench script has it).
 */
/** Short, so replaced versions are released (not merely retired) before each measurement. */
const RELEASE_GRACE_MS = 50;

export async function reloadHeapMiB(cycles: number, checkpoints: number[]): Promise<Array<{ cycle: number; heapMiB: number }>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the benchmark with node --expose-gc (npm run bench does)');
  const base = readSupergraphConfig('supergraph.yaml');
  const without = composeSupergraph(base);
  const withOutlet = composeSupergraph([
    ...base,
    { name: 'outlet', url: 'http://127.0.0.1:1/graphql', sdl: mallSdl({ id: 'outlet', name: '아울렛', homepage: 'http://outlet.example/' }) },
  ]);
  if (!without.ok || !withOutlet.ok) throw new Error('the benchmark supergraphs do not compose');
  let update: (sdl: string) => void = () => undefined;
  const quiet = { info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const gateway = await createGateway({
    supergraph: {
      async initialize(options) {
        update = options.update;
        return { supergraphSdl: without.supergraphSdl };
      },
    },
    log: quiet,
    subgraphDeadlineMs: 1000,
    jwtSecret: 'bench',
    identity: { forward: async () => undefined, jwks: { keys: [] } },
    releaseGraceMs: RELEASE_GRACE_MS,
  });
  const query = () =>
    fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ malls { id name } }' }),
    }).then((r) => r.text());
  // A new supergraph is built off the serving thread first, so a switch lands a little after update().
  const serving = async (outlet: boolean) => {
    while ((await query()).includes('"outlet"') !== outlet) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  const samples: Array<{ cycle: number; heapMiB: number }> = [];
  try {
    for (let cycle = 1; cycle <= cycles; cycle += 1) {
      update(withOutlet.supergraphSdl);
      await serving(true);
      update(without.supergraphSdl);
      await serving(false);
      if (checkpoints.includes(cycle)) {
        // Versions still inside their grace are alive by design; wait them out.
        await new Promise((resolve) => setTimeout(resolve, RELEASE_GRACE_MS + 100));
        gc();
        samples.push({ cycle, heapMiB: process.memoryUsage().heapUsed / 1048576 });
      }
    }
  } finally {
    await gateway.close();
  }
  return samples;
}
