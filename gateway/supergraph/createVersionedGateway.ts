import { HEALTH_CHECK_QUERY, type GraphQLDataSourceProcessOptions, type SupergraphManager } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/log.ts';
import { executeOnVersion } from '../execution/executeOnVersion.ts';
import { createDataSourcePool, type ClosableDataSource } from './dataSourcePool.ts';
import { supergraphId } from '../../composition/supergraphId.ts';
import { buildSupergraphVersion, subgraphEndpoints, type SubgraphEndpoint, type SupergraphVersion } from './supergraphVersion.ts';

export interface SupergraphStatus {
  current: { id: string; loadedAt: string; subgraphs: string[] } | null;
  /** The newest candidate refused since the last switch, and why. */
  rejected: { id: string; at: string; reason: string } | null;
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
}

export interface VersionedGatewayOptions {
  source: SupergraphManager;
  buildDataSource(endpoint: SubgraphEndpoint, supergraphSdl: string): ClosableDataSource;
  log: Logger;
  /** How long an old version stays usable after its last request; default 5 s. */
  releaseGraceMs?: number;
}

export const DEFAULT_RELEASE_GRACE_MS = 5000;

/**
 * Apollo Server's gateway, built from Apollo's supergraph loading contract,
 * query planner and plan executor, but versioned: every request runs on the
 * version whose schema Apollo Server validated it against (ApolloGateway's
 * executor reads whatever is current, so a reload mid-request can mix two),
 * a candidate whose subgraphs fail their health check is refused, and a
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

  const activate = (sdl: string) => {
    if (current && current.id === supergraphId(sdl)) {
      // The source moved on to what we already serve (a refused change was undone).
      rejected = null;
      return;
    }
    const version = buildSupergraphVersion(sdl, (endpoints) => pool.acquire(endpoints, sdl));
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

  const healthCheck = async (sdl: string) => {
    const endpoints = subgraphEndpoints(sdl);
    const sources = pool.acquire(endpoints, sdl);
    try {
      const results = await Promise.allSettled(
        endpoints.map((e) =>
          sources[e.name]!.process(healthCheckRequest()).then((response) => {
            if (response.errors?.length) throw new Error(response.errors[0]!.message);
          }),
        ),
      );
      const failures = results.flatMap((result, i) =>
        result.status === 'rejected' ? [`${endpoints[i]!.name} at ${endpoints[i]!.url} (${describe(result.reason)})`] : [],
      );
      if (failures.length === 0) return;
      const reason = `subgraphs did not answer their health check: ${failures.join('; ')}`;
      const candidate = supergraphId(sdl);
      // Sources retry a refused candidate; say so once per candidate and reason.
      if (rejected?.id !== candidate || rejected.reason !== reason) {
        log.warn(`keeping supergraph ${current?.id ?? '(none)'}: candidate ${candidate} refused, ${reason}; start them or publish a fix`);
      }
      rejected = { id: candidate, at: new Date().toISOString(), reason };
      throw new Error(reason);
    } finally {
      pool.release(endpoints);
    }
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
      return { executor };
    },
    async stop() {
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
    }),
    openDataSources: () => pool.size(),
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
