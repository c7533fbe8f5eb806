import type { SupergraphManager } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/log.ts';
import type { WorkerBudget } from '../../lib/worker/createBudgetedWorker.ts';
import { executeOnVersion } from '../execution/executeOnVersion.ts';
import { createDataSourcePool, type ClosableDataSource } from './dataSourcePool.ts';
import { supergraphId } from '../../composition/supergraphId.ts';
import { createVersionCheck, versionBudgetFromEnv } from './createVersionCheck.ts';
import { buildInPacedSlices, createPendingBuild, type PendingBuild, type Refusal } from './pendingBuild.ts';
import { createSubgraphHealth, type SubgraphHealth, type UnhealthySubgraph } from './subgraphHealth.ts';
import { buildSupergraphParts, versionFromParts, type SubgraphEndpoint, type SupergraphParts, type SupergraphVersion } from './supergraphVersion.ts';
import { createVersionRetention, type VersionRetention } from './versionRetention.ts';

export { DEFAULT_RELEASE_GRACE_MS } from './versionRetention.ts';
export type { UnhealthySubgraph } from './subgraphHealth.ts';

export interface SupergraphStatus {
  current: { id: string; loadedAt: string; subgraphs: string[] } | null;
  /** The newest candidate refused since the last switch, and why. */
  rejected: Refusal | null;
  /** Subgraphs that did not answer the newest health check; their fields fail until they answer. */
  unhealthy: UnhealthySubgraph[];
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

/**
 * Apollo Server's gateway, built from Apollo's supergraph loading contract,
 * query planner and plan executor, but versioned: every request runs on the
 * version whose schema Apollo Server validated it against (ApolloGateway's
 * executor reads whatever is current, so a reload mid-request can mix two),
 * subgraphs that fail their health check are reported (not refused), and a
 * removed subgraph's data source is closed once nothing on an old version
 * still runs. The parts: versionRetention.ts (which versions are usable),
 * pendingBuild.ts (checking and building candidates), subgraphHealth.ts.
 */
export function createVersionedGateway(options: VersionedGatewayOptions): VersionedGateway {
  const { log } = options;
  const pool = createDataSourcePool(options.buildDataSource);
  const versions = createVersionRetention({ graceMs: options.releaseGraceMs, release: (version) => pool.release(version.subgraphs) });
  const health = createSubgraphHealth({ pool, log });
  const listeners = { schema: new Set<GatewaySchemaLoadOrUpdateCallback>(), version: new Set<(version: SupergraphVersion) => void>() };
  const source = { cleanup: undefined as (() => Promise<void>) | undefined };

  const switchTo = (parts: SupergraphParts) => {
    const { sdl } = parts;
    const version = versionFromParts(parts, (endpoints) => pool.acquire(endpoints, sdl));
    versions.serve(version);
    log.info(`serving supergraph ${version.id} (${version.subgraphs.map((s) => s.name).join(', ')})`);
    for (const listener of listeners.schema) listener({ apiSchema: version.schema, coreSupergraphSdl: sdl });
    for (const listener of listeners.version) listener(version);
  };

  const buildBudget = options.buildBudget === undefined ? versionBudgetFromEnv() : options.buildBudget;
  const builds =
    buildBudget === null
      ? null
      : createPendingBuild({
          openCheck: () => createVersionCheck(buildBudget),
          build: buildInPacedSlices,
          switchTo,
          servingId: () => versions.current()?.id,
          log,
        });

  const activate = (sdl: string) => {
    const current = versions.current();
    if (current && current.id === supergraphId(sdl)) {
      // The source moved on to what we already serve (a refused change was undone).
      builds?.cancel();
      return;
    }
    if (builds === null || current === null) return switchTo(buildSupergraphParts(sdl));
    builds.offer(sdl);
  };

  const executor = pinnedExecutor(versions);

  return {
    onSchemaLoadOrUpdate(callback) {
      listeners.schema.add(callback);
      return () => void listeners.schema.delete(callback);
    },
    async load() {
      const result = await options.source.initialize({
        update: activate,
        healthCheck: health.check,
        getDataSource: ({ name, url }) => options.buildDataSource({ name, url: url ?? '' }, versions.current()?.sdl ?? ''),
      });
      source.cleanup = result.cleanup;
      activate(result.supergraphSdl);
      // Started and warmed up now (modules loaded, code compiled), so the first reload does not wait for it.
      builds?.warmUp(result.supergraphSdl);
      return { executor };
    },
    async stop() {
      await builds?.stop();
      health.stop();
      versions.stop();
      await source.cleanup?.();
      source.cleanup = undefined;
      await pool.close();
    },
    current: versions.current,
    versionOf: versions.versionOf,
    hold: versions.hold,
    onVersion(listener) {
      listeners.version.add(listener);
      return () => void listeners.version.delete(listener);
    },
    status: () => statusOf(versions, builds, health),
    openDataSources: () => pool.size(),
    settled: async () => builds?.settled(),
  };
}

/** Runs each request on the version Apollo Server validated it against, held until it ends. */
function pinnedExecutor(versions: VersionRetention): GatewayExecutor {
  return async (requestContext) => {
    const version = versions.versionForRequest(requestContext.schema);
    if (!version) {
      return { errors: [new GraphQLError('the gateway has no supergraph loaded yet; retry shortly', { extensions: { code: 'NOT_READY' } })] };
    }
    const release = versions.hold(version);
    try {
      return await executeOnVersion(version, requestContext);
    } finally {
      release();
    }
  };
}

function statusOf(versions: VersionRetention, builds: PendingBuild | null, health: SubgraphHealth): SupergraphStatus {
  const current = versions.current();
  return {
    current: current ? { id: current.id, loadedAt: versions.servingSince().toISOString(), subgraphs: current.subgraphs.map((s) => s.name) } : null,
    rejected: builds?.rejected() ?? null,
    unhealthy: health.unhealthy(),
  };
}
