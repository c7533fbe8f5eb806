import { HEALTH_CHECK_QUERY, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { supergraphId } from '../../composition/supergraphId.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';
import type { DataSourcePool } from './dataSourcePool.ts';
import { subgraphEndpoints, type SubgraphEndpoint } from './supergraphVersion.ts';

export interface UnhealthySubgraph {
  name: string;
  url: string;
  reason: string;
  /** When it was first found not answering. */
  since: string;
}

export interface SubgraphHealth {
  /** Checks every subgraph of a supergraph; never refuses it. */
  check(sdl: string): Promise<void>;
  /** Subgraphs that did not answer the newest check; their fields fail until they answer. */
  unhealthy(): UnhealthySubgraph[];
  /** Stops rechecking; a check still in flight reports nothing. */
  stop(): void;
}

/** How often a subgraph that failed its health check is asked again. */
export const RECHECK_MS = 2000;

/**
 * Checks every subgraph of a supergraph and reports those that do not
 * answer (log, `/readyz`), but never refuses it: one team's broken
 * subgraph must not hold back every other team's change, so its fields
 * fail as a down subgraph's do. Failing ones are asked again every
 * `recheckMs` until they answer or a newer check replaces this one.
 */
export function createSubgraphHealth(options: { pool: Pick<DataSourcePool, 'acquire' | 'release'>; log: Logger; recheckMs?: number }): SubgraphHealth {
  const { pool, log } = options;
  const recheckMs = options.recheckMs ?? RECHECK_MS;
  /** What the newest check found, and which check is the newest (an older one's results are dropped). */
  const state = { unhealthy: [] as UnhealthySubgraph[], generation: 0 };
  const timers = new Set<NodeJS.Timeout>();

  /** The endpoints that fail a health check, with why. */
  const failing = async (endpoints: readonly SubgraphEndpoint[], sdl: string): Promise<Map<SubgraphEndpoint, string>> => {
    const sources = pool.acquire(endpoints, sdl);
    try {
      const results = await Promise.allSettled(
        endpoints.map((e) =>
          sources[e.name]!.process(healthCheckRequest()).then((response) => {
            if (response.errors?.length) throw new Error(response.errors[0]!.message);
          }),
        ),
      );
      return new Map(results.flatMap((result, i) => (result.status === 'rejected' ? [[endpoints[i]!, describe(result.reason)] as const] : [])));
    } finally {
      pool.release(endpoints);
    }
  };

  const report = (endpoints: readonly SubgraphEndpoint[], failures: Map<SubgraphEndpoint, string>, sdl: string) => {
    const before = new Map(state.unhealthy.map((u) => [`${u.name} ${u.url}`, u]));
    const now = new Date().toISOString();
    state.unhealthy = [...failures].map(([e, reason]) => ({ name: e.name, url: e.url, reason, since: before.get(`${e.name} ${e.url}`)?.since ?? now }));
    for (const u of state.unhealthy) {
      if (!before.has(`${u.name} ${u.url}`))
        log.warn(
          `subgraph ${u.name} at ${u.url} did not answer its health check (${u.reason}); serving supergraph ${supergraphId(sdl)} anyway, its fields fail until it answers`,
        );
    }
    for (const e of endpoints)
      if (before.has(`${e.name} ${e.url}`) && !failures.has(e)) log.info(`subgraph ${e.name} at ${e.url} answers its health check again`);
  };

  const recheck = (generation: number, endpoints: readonly SubgraphEndpoint[], sdl: string) => {
    if (state.unhealthy.length === 0 || generation !== state.generation) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const down = endpoints.filter((e) => state.unhealthy.some((u) => u.name === e.name && u.url === e.url));
      failing(down, sdl)
        .then((still) => {
          if (generation !== state.generation) return;
          report(down, still, sdl);
          recheck(generation, endpoints, sdl);
        })
        .catch((error: unknown) => log.warn(`cannot health-check subgraphs again (${errorMessage(error)}); the next revision checks them`));
    }, recheckMs);
    timer.unref();
    timers.add(timer);
  };

  return {
    async check(sdl) {
      const generation = ++state.generation;
      const endpoints = subgraphEndpoints(sdl);
      const failures = await failing(endpoints, sdl);
      if (generation !== state.generation) return;
      report(endpoints, failures, sdl);
      recheck(generation, endpoints, sdl);
    },
    unhealthy: () => state.unhealthy,
    stop() {
      // A newer generation than any check's: whatever is in flight reports nothing and schedules nothing.
      state.generation += 1;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** A new one per call: data sources write the HTTP details into the request they are given. */
const healthCheckRequest = () =>
  // The request-kind enum is not exported from @apollo/gateway's root.
  ({ kind: 'health check', request: { query: HEALTH_CHECK_QUERY }, context: {} }) as GraphQLDataSourceProcessOptions;

function describe(error: unknown): string {
  const err = error as { message?: string; cause?: { code?: string } };
  return err.cause?.code ?? err.message ?? String(error);
}
