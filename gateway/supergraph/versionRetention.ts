import type { GraphQLSchema } from 'graphql';
import type { SupergraphVersion } from './supergraphVersion.ts';

export const DEFAULT_RELEASE_GRACE_MS = 5000;

export interface VersionRetention {
  /** The version new requests run on; null until the first `serve`. */
  current(): SupergraphVersion | null;
  /** When the current version started serving. */
  servingSince(): Date;
  /** Makes `version` current; the previous one is retired and released once unused for the grace period. */
  serve(version: SupergraphVersion): void;
  /** Keeps a version from being released until the returned function is called (once is enough). */
  hold(version: SupergraphVersion): () => void;
  /** The version whose API schema this is, while it is still usable. */
  versionOf(schema: GraphQLSchema): SupergraphVersion | null;
  /** The version a request validated against `schema` runs on (an unknown schema gets the current one); null if released or none yet. */
  versionForRequest(schema: GraphQLSchema): SupergraphVersion | null;
  /** Drops pending releases (the gateway is closing its data sources anyway). */
  stop(): void;
}

/**
 * The current supergraph version and the older ones still in use: a retired
 * version stays usable while requests or subscriptions hold it, and is
 * released `graceMs` after its last hold ends. Apollo Server validates a
 * request before the executor holds its version, so an unheld version is not
 * released at once.
 */
export function createVersionRetention(options: { graceMs?: number; release(version: SupergraphVersion): void }): VersionRetention {
  const graceMs = options.graceMs ?? DEFAULT_RELEASE_GRACE_MS;
  const bySchema = new WeakMap<GraphQLSchema, SupergraphVersion>();
  const usage = new Map<SupergraphVersion, { holds: number; retired: boolean }>();
  const serving = { current: null as SupergraphVersion | null, since: new Date() };
  const timers = new Set<NodeJS.Timeout>();

  const releaseIfUnused = (version: SupergraphVersion) => {
    const state = usage.get(version);
    if (!state || !state.retired || state.holds > 0) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (state.holds > 0 || usage.get(version) !== state) return;
      usage.delete(version);
      options.release(version);
    }, graceMs);
    timer.unref();
    timers.add(timer);
  };

  const usable = (version: SupergraphVersion | undefined | null) => (version && usage.has(version) ? version : null);

  return {
    current: () => serving.current,
    servingSince: () => serving.since,
    serve(version) {
      const previous = serving.current;
      usage.set(version, { holds: 0, retired: false });
      bySchema.set(version.schema, version);
      serving.current = version;
      serving.since = new Date();
      if (previous) {
        usage.get(previous)!.retired = true;
        releaseIfUnused(previous);
      }
    },
    hold(version) {
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
    },
    versionOf: (schema) => usable(bySchema.get(schema)),
    // A released version's schema does not fall back to the current one: its request was validated against another schema.
    versionForRequest: (schema) => usable(bySchema.get(schema) ?? serving.current),
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
