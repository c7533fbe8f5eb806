import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { supergraphId } from '../../composition/supergraphId.ts';
import { createDataSourcePool } from '../../gateway/supergraph/dataSourcePool.ts';
import { createSubgraphHealth } from '../../gateway/supergraph/subgraphHealth.ts';
import { recordingLogger } from '../support/logs.ts';

const RECHECK_MS = 2000;

/** Only the `@join__graph` applications matter to the health check. */
const supergraph = (...names: string[]) =>
  `enum join__Graph { ${names.map((n) => `${n.toUpperCase()} @join__graph(name: "${n}", url: "http://${n}.invalid/graphql")`).join(' ')} }`;

/** Subgraphs that answer unless listed in `down` (refused connection) or `erring` (a GraphQL error). */
function setup() {
  const log = recordingLogger();
  const down = new Set<string>();
  const erring = new Set<string>();
  const asked: string[] = [];
  const pool = createDataSourcePool(({ name }) => ({
    async process() {
      asked.push(name);
      if (down.has(name)) throw new Error('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      return erring.has(name) ? { errors: [{ message: 'Cannot query field "_service"' }] } : { data: {} };
    },
  }));
  const health = createSubgraphHealth({ pool, log, recheckMs: RECHECK_MS });
  return { health, log, down, erring, asked, pool };
}

/** A recheck runs in promise callbacks after its timer: one turn of the event loop (not faked) lets it finish. */
const afterRecheck = async (ms = RECHECK_MS) => {
  await vi.advanceTimersByTimeAsync(ms);
  await new Promise((resolve) => setImmediate(resolve));
};

beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => void vi.useRealTimers());

describe('subgraph health', () => {
  it('reports nothing and asks no more when every subgraph answers', async () => {
    const { health, log, asked, pool } = setup();
    await health.check(supergraph('core', 'banner'));
    expect(health.unhealthy()).toEqual([]);
    expect(log.lines).toEqual([]);
    await afterRecheck(RECHECK_MS * 3);
    expect(asked.sort()).toEqual(['banner', 'core']);
    expect(pool.size()).toBe(0); // the check gives back the data sources it took
  });

  it('reports a subgraph that does not answer, asks only it again every interval, and says once when it answers again', async () => {
    const { health, log, down, erring, asked } = setup();
    const sdl = supergraph('core', 'banner', 'ghost');
    down.add('ghost');
    erring.add('banner');
    await health.check(sdl);
    expect(health.unhealthy()).toEqual([
      { name: 'banner', url: 'http://banner.invalid/graphql', reason: 'Cannot query field "_service"', since: expect.any(String) },
      { name: 'ghost', url: 'http://ghost.invalid/graphql', reason: 'ECONNREFUSED', since: expect.any(String) },
    ]);
    const since = health.unhealthy()[1]!.since;
    expect(log.lines).toEqual([
      `subgraph banner at http://banner.invalid/graphql did not answer its health check (Cannot query field "_service"); serving supergraph ${supergraphId(sdl)} anyway, its fields fail until it answers`,
      `subgraph ghost at http://ghost.invalid/graphql did not answer its health check (ECONNREFUSED); serving supergraph ${supergraphId(sdl)} anyway, its fields fail until it answers`,
    ]);

    asked.length = 0;
    erring.delete('banner');
    await afterRecheck(RECHECK_MS - 1);
    expect(asked).toEqual([]); // not before the interval
    await afterRecheck(1);
    expect(asked.sort()).toEqual(['banner', 'ghost']);
    expect(health.unhealthy()).toEqual([{ name: 'ghost', url: 'http://ghost.invalid/graphql', reason: 'ECONNREFUSED', since }]);
    expect(log.lines.slice(2)).toEqual(['subgraph banner at http://banner.invalid/graphql answers its health check again']);

    asked.length = 0;
    await afterRecheck();
    expect(asked).toEqual(['ghost']);
    expect(health.unhealthy()[0]!.since).toBe(since); // still down: first seen then, not said again
    expect(log.lines).toHaveLength(3);

    down.delete('ghost');
    await afterRecheck();
    expect(health.unhealthy()).toEqual([]);
    expect(log.lines.slice(3)).toEqual(['subgraph ghost at http://ghost.invalid/graphql answers its health check again']);
    asked.length = 0;
    await afterRecheck(RECHECK_MS * 3);
    expect(asked).toEqual([]);
  });

  it('lets a newer check replace an older one: only the newer one keeps asking', async () => {
    const { health, down, asked } = setup();
    down.add('ghost');
    await health.check(supergraph('core', 'ghost'));
    await afterRecheck(RECHECK_MS / 2);
    await health.check(supergraph('core', 'ghost', 'extra'));
    expect(health.unhealthy().map((u) => u.name)).toEqual(['ghost']);
    asked.length = 0;
    // The older check's timer, due first, asks once and drops what it heard; the newer one asks every interval.
    await afterRecheck(RECHECK_MS / 2);
    expect(asked).toEqual(['ghost']);
    await afterRecheck(RECHECK_MS * 1.5);
    expect(asked).toEqual(['ghost', 'ghost', 'ghost']);
    // A revision without ghost: nothing is unhealthy, and nothing asks ghost again.
    await health.check(supergraph('core'));
    expect(health.unhealthy()).toEqual([]);
    asked.length = 0;
    await afterRecheck(RECHECK_MS * 3);
    expect(asked).toEqual([]);
  });

  it('asks nothing again once stopped', async () => {
    const { health, down, asked } = setup();
    down.add('ghost');
    await health.check(supergraph('core', 'ghost'));
    health.stop();
    asked.length = 0;
    await afterRecheck(RECHECK_MS * 3);
    expect(asked).toEqual([]);
  });
});
