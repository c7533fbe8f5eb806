import type { SupergraphManager } from '@apollo/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { supergraphId } from '../../composition/supergraphId.ts';
import { createVersionedGateway, type VersionedGateway } from '../../gateway/supergraph/createVersionedGateway.ts';
import type { WorkerBudget } from '../../lib/worker/createBudgetedWorker.ts';
import { recordingLogger } from '../support/logs.ts';

const compose = (names: string[]) => {
  const result = composeSupergraph(names.map((name) => ({ name, url: `http://${name}.invalid/graphql`, sdl: `type Query { ${name}: String }` })));
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.supergraphSdl;
};

let gateway: VersionedGateway | undefined;
afterEach(() => gateway?.stop());

/** A gateway over a source the test drives: `update` hands it a supergraph, `healthCheck` asks it to check one, as Apollo's sources do. */
async function start(options: { buildBudget: WorkerBudget | null; down?: string[] }) {
  const log = recordingLogger();
  const hooks = { update: (_sdl: string) => undefined as void, healthCheck: async (_sdl: string) => undefined as void };
  const source: SupergraphManager = {
    async initialize({ update, healthCheck }) {
      hooks.update = update;
      hooks.healthCheck = healthCheck;
      return { supergraphSdl: compose(['core', 'banner']) };
    },
  };
  const down = new Set(options.down);
  gateway = createVersionedGateway({
    source,
    buildDataSource: ({ name }) => ({
      process: async () => {
        if (down.has(name)) throw new Error('fetch failed', { cause: { code: 'ECONNREFUSED' } });
        return { data: {} };
      },
    }),
    log,
    buildBudget: options.buildBudget,
  });
  await gateway.load({ apollo: {} });
  return { gateway, log, hooks };
}

describe("the versioned gateway's status", () => {
  it('shows the version served and the subgraphs its health check found down', async () => {
    const { gateway, log, hooks } = await start({ buildBudget: null, down: ['banner'] });
    const sdl = compose(['core', 'banner']);
    expect(gateway.status()).toEqual({
      current: { id: supergraphId(sdl), loadedAt: expect.any(String), subgraphs: ['banner', 'core', 'directory'] },
      rejected: null,
      unhealthy: [],
    });
    await hooks.healthCheck(sdl);
    expect(gateway.status().unhealthy).toEqual([{ name: 'banner', url: 'http://banner.invalid/graphql', reason: 'ECONNREFUSED', since: expect.any(String) }]);
    expect(log.lines).toContain(
      `subgraph banner at http://banner.invalid/graphql did not answer its health check (ECONNREFUSED); serving supergraph ${supergraphId(sdl)} anyway, its fields fail until it answers`,
    );
    // A revision without it: the next check finds nothing down.
    hooks.update(compose(['core']));
    await hooks.healthCheck(compose(['core']));
    expect(gateway.status().unhealthy).toEqual([]);
    expect(gateway.status().current?.subgraphs).toEqual(['core', 'directory']);
  });

  it('shows a refused candidate until the source moves back to what is served', async () => {
    const { gateway, log, hooks } = await start({ buildBudget: { timeoutMs: 30_000, maxHeapMb: 512 } });
    const served = gateway.current()!.id;
    hooks.update('type Query { notASupergraph: String }');
    await gateway.settled();
    expect(gateway.current()!.id).toBe(served);
    expect(gateway.status().rejected).toMatchObject({ id: supergraphId('type Query { notASupergraph: String }') });
    expect(log.lines.filter((l) => l.startsWith('keeping supergraph'))).toEqual([
      expect.stringMatching(new RegExp(`^keeping supergraph ${served}: candidate \\w+ refused, .+; publish a smaller change$`)),
    ]);
    hooks.update(compose(['core', 'banner']));
    await gateway.settled();
    expect(gateway.status().rejected).toBeNull();
    expect(gateway.current()!.id).toBe(served);
  });
});
