import type { SupergraphManager } from '@apollo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { supergraphId } from '../../composition/supergraphId.ts';
import { createVersionedGateway, type VersionedGateway } from '../../gateway/supergraph/createVersionedGateway.ts';
import { buildSupergraphParts } from '../../gateway/supergraph/supergraphVersion.ts';
import type { WorkerBudget } from '../../lib/worker/createBudgetedWorker.ts';
import { largestSdl } from '../support/largestSdl.ts';

const base = readSupergraphConfig('supergraph.yaml');
const compose = (extra: Array<{ name: string; sdl: string }>) => {
  const result = composeSupergraph([...base, ...extra.map((s) => ({ ...s, url: 'http://127.0.0.1:1/graphql' }))]);
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.supergraphSdl;
};
const small = compose([]);
const large = compose([{ name: 'largest', sdl: largestSdl() }]);

let gateway: VersionedGateway | undefined;
afterEach(() => gateway?.stop());

async function start(buildBudget?: WorkerBudget) {
  const warnings: string[] = [];
  let update: (sdl: string) => void = () => undefined;
  const source: SupergraphManager = {
    async initialize(options) {
      update = options.update;
      return { supergraphSdl: small };
    },
  };
  const log = { info: () => undefined, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m) };
  gateway = createVersionedGateway({ source, buildDataSource: () => ({ process: async () => ({ data: {} }) }), log, buildBudget });
  await gateway.load({ apollo: {} });
  return { gateway, warnings, update: (sdl: string) => update(sdl) };
}

/** The longest the event loop went without running a 2 ms timer while `work` ran. */
async function longestStall(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 2);
  try {
    await work();
  } finally {
    clearInterval(ticker);
  }
  return Math.max(longest, performance.now() - last);
}

describe('a gateway switching to a new supergraph', () => {
  it('builds it off its serving thread first, then in slices: the event loop never stalls for a whole build', async () => {
    const { gateway, update } = await start();
    // What building it in one go costs this thread (the second time, warm).
    buildSupergraphParts(large);
    const started = performance.now();
    buildSupergraphParts(large);
    const wholeBuild = performance.now() - started;

    const stall = await longestStall(async () => {
      update(large);
      await gateway.settled();
    });
    expect(gateway.current()?.id).toBe(supergraphId(large));
    expect(gateway.current()?.subgraphs.map((s) => s.name)).toContain('largest');
    expect(stall).toBeLessThan(wholeBuild * 0.6);
  });

  it('refuses a candidate that goes over its build budget, says so once, and keeps serving the current one', async () => {
    const { gateway, warnings, update } = await start({ timeoutMs: 50, maxHeapMb: 512 });
    update(large);
    await gateway.settled();
    expect(gateway.current()?.id).toBe(supergraphId(small));
    expect(gateway.status().rejected).toMatchObject({
      id: supergraphId(large),
      reason: 'building the new supergraph took longer than its budget of 50 ms and was stopped',
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^keeping supergraph \w+: candidate \w+ refused, building the new supergraph took longer than its budget of 50 ms/),
    ]);
  });
});
