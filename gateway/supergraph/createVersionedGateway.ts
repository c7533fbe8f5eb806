import { HEALTH_CHECK_QUERY, type GraphQLDataSourceProcessOptions, type SupergraphManager } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { createBuildPacer } from './buildPacer.ts';
import type { WorkerBudget } from '../../lib/worker/createBudgetedWorker.ts';
import { executeOnVersion } from '../execution/executeOnVersion.ts';
import { createDataSourcePool, type ClosableDataSource } from './dataSourcePool.ts';
import { supergraphId } from '../../composition/supergraphId.ts';
import { createVersionCheck, versionBudgetFromEnv, type VersionCheck } from './createVersionCheck.ts';
import {
  buildSupergraphParts,
  buildValidatedPartsInSlices,
  subgraphEndpoints,
  versionFromParts,
  type SubgraphEndpoint,
  type SupergraphParts,
  type SupergraphVersion,
} from './supergraphVersion.ts';

export interface SupergraphStatus {
  current: { id: string; loadedAt: string; subgraphs: string[] } | null;
  /** The newest candidate refused since the last switch, and why. */
  rejected: { id: string; at: string; reason: string } | null;
  /** Subgraphs that did not answer the newest health check; their fields fail until they answer. */
  unhealthy: UnhealthySubgraph[];
}

export interface UnhealthySubgraph {
  name: string;
  url: string;
  reason: string;
  /** When it was first found not answering. */
  since: string;
}

export interface VersionedGateway extends GatewayInterface {
  current(): SupergraphVersion | null;
  /** The version whose API schema this is, while it is still usable (validated operations run on it). */
  versionOf(schema: GraphQLSchema): SupergraphVersion | null;
  /** Keeps a version's data sources open until the returned function is called. */
  hold(version: SupergraphVersion): () => void;
  /** Called with every version switched to, the first one included. */
  onVersion(listener: (version: SupergraphVersion) => void): () => void;
  status(): SupergraphStatus;
  /** Data sources alive across every version still in use. */
  openDataSources(): number;
  /** Resolves once every supergraph handed to the gateway so far has been switched to or refused. */
  settled(): Promise<void>;
}

export interface VersionedGatewayOptions {
  source: SupergraphManager;
  buildDataSource(endpoint: SubgraphEndpoint, supergraphSdl: string): ClosableDataSource;
  log: Logger;
  /** How long an old version stays usable after its last request; default 5 s. */
  releaseGraceMs?: number;
  /**
   * The budget a new supergraph must build within on a worker thread before
   * the serving thread builds it, in slices; default from the environment
   * (createVersionCheck.ts). `null` builds at once on update, unchecked: for
   * in-process tests that switch versions synchronously.
   */
  buildBudget?: WorkerBudget | null;
}

/** The serving thread's pause between build steps, so requests in flight move on: twice the step, at least 5 ms. */
const BUILD_PAUSE_MS = 5;
const BUILD_PAUSE_RATIO = 2;

export const DEFAULT_RELEASE_GRACE_MS = 5000;
/** How often a subgraph that failed its health check is asked again. */
const RECHECK_MS = 2000;

/**
 * Apollo Server's gateway, built from Apollo's supergraph loading contract,
 * query planner and plan executor, but versioned: every request runs on the
 * version whose schema Apollo Server validated it against (ApolloGateway's
 * executor reads whatever is current, so a reload mid-request can mix two),
 * subgraphs that fail their health check are reported (not refused), and a
 * removed subgraph's data source is closed once nothing on an old version
 * still runs.
 */
export function createVersionedGateway(options: VersionedGatewayOptions): VersionedGateway {
  const { log } = options;
  const releaseGraceMs = options.releaseGraceMs ?? DEFAULT_RELEASE_GRACE_MS;
  const pool = createDataSourcePool(options.buildDataSource);
  const bySchema = new WeakMap<GraphQLSchema, SupergraphVersion>();
  const usage = new Map<SupergraphVersion, { holds: number; retired: boolean }>();
  const schemaListeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  const versionListeners = new Set<(version: SupergraphVersion) => void>();
  let current: SupergraphVersion | null = null;
  let loadedAt = new Date();
  let rejected: SupergraphStatus['rejected'] = null;
  let cleanup: (() => Promise<void>) | undefined;

  const timers = new Set<NodeJS.Timeout>();
  /**
   * Apollo Server validates a request before our executor holds its version,
   * so a retired version is released only after a grace period without holds.
   */
  const releaseIfUnused = (version: SupergraphVersion) => {
    const state = usage.get(version);
    if (!state || !state.retired || state.holds > 0) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (state.holds > 0 || usage.get(version) !== state) return;
      usage.delete(version);
      pool.release(version.subgraphs);
    }, releaseGraceMs);
    timer.unref();
    timers.add(timer);
  };

  const hold = (version: SupergraphVersion) => {
    const state = usage.get(version);
    if (!state) throw new Error(`supergraph ${version.id} has already been released`);
    state.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.holds -= 1;
      releaseIfUnused(version);
    };
  };

  const switchTo = (parts: SupergraphParts) => {
    const { sdl } = parts;
    const version = versionFromParts(parts, (endpoints) => pool.acquire(endpoints, sdl));
    const previous = current;
    usage.set(version, { holds: 0, retired: false });
    bySchema.set(version.schema, version);
    current = version;
    loadedAt = new Date();
    rejected = null;
    log.info(`serving supergraph ${version.id} (${version.subgraphs.map((s) => s.name).join(', ')})`);
    for (const listener of schemaListeners) listener({ apiSchema: version.schema, coreSupergraphSdl: sdl });
    for (const listener of versionListeners) listener(version);
    if (previous) {
      usage.get(previous)!.retired = true;
      releaseIfUnused(previous);
    }
  };

  const buildBudget = options.buildBudget === undefined ? versionBudgetFromEnv() : options.buildBudget;
  let versionCheck: VersionCheck | undefined;
  let pending: string | null = null;
  let building: Promise<void> | null = null;
  let stopped = false;

  /**
   * A new supergraph is first built on a worker thread within the budget (a
   * candidate over it is refused and the current version kept), then built
   * again here in slices with pauses, since a query planner cannot move
   * between threads; the registry's publish limits keep those slices short.
   * Supergraphs that arrive meanwhile wait; only the newest is built.
   */
  const buildPending = async () => {
    while (pending !== null && !stopped) {
      const sdl = pending;
      pending = null;
      const id = supergraphId(sdl);
      try {
        versionCheck ??= createVersionCheck(buildBudget!);
        await versionCheck.check(sdl);
        if (stopped || pending !== null) continue;
        const parts = await buildValidatedPartsInSlices(sdl, createBuildPacer(BUILD_PAUSE_MS, BUILD_PAUSE_RATIO));
        if (stopped || pending !== null) continue;
        switchTo(parts);
      } catch (error) {
        if (stopped) return;
        const reason = errorMessage(error);
        log.warn(`keeping supergraph ${current?.id ?? '(none)'}: candidate ${id} refused, ${reason}; publish a smaller change`);
        rejected = { id, at: new Date().toISOString(), reason };
      }
    }
  };

  const activate = (sdl: string) => {
    if (current && current.id === supergraphId(sdl)) {
      // The source moved on to what we already serve (a refused change was undone).
      rejected = null;
      pending = null;
      return;
    }
    if (buildBudget === null || current === null) return switchTo(buildSupergraphParts(sdl));
    pending = sdl;
    building ??= buildPending().finally(() => (building = null));
  };

  /** What the newest health check found; rechecked until each answers or a newer check replaces it. */
  let unhealthy: UnhealthySubgraph[] = [];
  let checks = 0;

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
    const before = new Map(unhealthy.map((u) => [`${u.name} ${u.url}`, u]));
    const now = new Date().toISOString();
    unhealthy = [...failures].map(([e, reason]) => ({ name: e.name, url: e.url, reason, since: before.get(`${e.name} ${e.url}`)?.since ?? now }));
    for (const u of unhealthy) {
      if (!before.has(`${u.name} ${u.url}`))
        log.warn(
          `subgraph ${u.name} at ${u.url} did not answer its health check (${u.reason}); serving supergraph ${supergraphId(sdl)} anyway, its fields fail until it answers`,
        );
    }
    for (const e of endpoints)
      if (before.has(`${e.name} ${e.url}`) && !failures.has(e)) log.info(`subgraph ${e.name} at ${e.url} answers its health check again`);
  };

  /**
   * Checks every subgraph of a supergraph and reports those that do not
   * answer (log, `/readyz`), but never refuses it: one team's broken
   * subgraph must not hold back every other team's change, so its fields
   * fail as a down subgraph's do. Failing ones are asked again every few
   * seconds until they answer or a newer check replaces this one.
   */
  const healthCheck = async (sdl: string) => {
    const generation = ++checks;
    const endpoints = subgraphEndpoints(sdl);
    const failures = await failing(endpoints, sdl);
    if (generation !== checks) return;
    report(endpoints, failures, sdl);
    const recheck = () => {
      if (unhealthy.length === 0 || generation !== checks) return;
      const timer = setTimeout(() => {
        const down = endpoints.filter((e) => unhealthy.some((u) => u.name === e.name && u.url === e.url));
        void failing(down, sdl)
          .then((still) => {
            // stop() clears the timers: a recheck that outlived it reports nothing.
            if (!timers.delete(timer) || generation !== checks) return;
            report(down, still, sdl);
            recheck();
          })
          .catch((error: unknown) => log.warn(`cannot health-check subgraphs again (${errorMessage(error)}); the next revision checks them`));
      }, RECHECK_MS);
      timer.unref();
      timers.add(timer);
    };
    recheck();
  };

  const executor: GatewayExecutor = async (requestContext) => {
    const version = bySchema.get(requestContext.schema) ?? current;
    if (!version || !usage.has(version)) {
      return { errors: [new GraphQLError('the gateway has no supergraph loaded yet; retry shortly', { extensions: { code: 'NOT_READY' } })] };
    }
    const release = hold(version);
    try {
      return await executeOnVersion(version, requestContext);
    } finally {
      release();
    }
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      schemaListeners.add(callback);
      return () => void schemaListeners.delete(callback);
    },
    async load() {
      const result = await options.source.initialize({
        update: activate,
        healthCheck,
        getDataSource: ({ name, url }) => options.buildDataSource({ name, url: url ?? '' }, current?.sdl ?? ''),
      });
      cleanup = result.cleanup;
      activate(result.supergraphSdl);
      if (buildBudget !== null) {
        // Started and warmed up now (modules loaded, code compiled), so the first reload does not wait for it.
        versionCheck ??= createVersionCheck(buildBudget);
        versionCheck.check(result.supergraphSdl).catch(() => undefined);
      }
      return { executor };
    },
    async stop() {
      stopped = true;
      await versionCheck?.close();
      await building;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await cleanup?.();
      cleanup = undefined;
      await pool.close();
    },
    current: () => current,
    versionOf: (schema) => {
      const version = bySchema.get(schema);
      return version && usage.has(version) ? version : null;
    },
    hold,
    onVersion(listener) {
      versionListeners.add(listener);
      return () => void versionListeners.delete(listener);
    },
    status: () => ({
      current: current ? { id: current.id, loadedAt: loadedAt.toISOString(), subgraphs: current.subgraphs.map((s) => s.name) } : null,
      rejected,
      unhealthy,
    }),
    openDataSources: () => pool.size(),
    settled: async () => {
      while (building) await building;
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
