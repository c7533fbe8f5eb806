import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/log.ts';
import type { VersionedGateway } from '../supergraph/createVersionedGateway.ts';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { createUpstreamClients } from './createUpstreamClients.ts';
import type { SubscriptionRuntime } from './executeSubscription.ts';

export interface SubscriptionRuntimes {
  /** A new supergraph version: upstream sockets of removed subgraphs close. */
  update(version: SupergraphVersion): void;
  current(): SubscriptionRuntime | null;
  /** The runtime of the version an operation was validated against, or the current one once that is gone. */
  forSchema(schema: GraphQLSchema): SubscriptionRuntime | null;
  close(): Promise<void>;
}

/**
 * Keeps what subscriptions run on in step with the supergraph. A running
 * subscription keeps the version it started with (and holds it open); a new
 * one runs on the version its operation was validated against, so a switch
 * between validating and subscribing cannot plan it on another schema.
 */
export function createSubscriptionRuntimes(log: Logger, gateway: Pick<VersionedGateway, 'hold' | 'versionOf'>): SubscriptionRuntimes {
  const upstream = createUpstreamClients(log);
  const runtimes = new WeakMap<SupergraphVersion, SubscriptionRuntime>();
  /** `name url` of every subgraph the current version has: the upstream sockets kept open. */
  let live = new Set<string>();
  let current: SubscriptionRuntime | null = null;
  const endpointKey = (name: string, url: string) => `${name} ${url}`;

  const runtimeOf = (version: SupergraphVersion): SubscriptionRuntime => {
    let runtime = runtimes.get(version);
    if (runtime) return runtime;
    const urls = new Map(version.subgraphs.map((s) => [s.name, s.url]));
    runtime = {
      version,
      hold: () => gateway.hold(version),
      upstream: (subgraph) => {
        const url = urls.get(subgraph);
        if (!url) throw new Error(`subgraph "${subgraph}" is not in the supergraph`);
        // Only current endpoints have sockets; an older version's other ones are gone.
        if (!live.has(endpointKey(subgraph, url))) throw new Error(`subgraph "${subgraph}" left the supergraph while subscribing; subscribe again`);
        return upstream.clientFor(subgraph, url);
      },
    };
    runtimes.set(version, runtime);
    return runtime;
  };

  return {
    update(version) {
      live = new Set(version.subgraphs.map((s) => endpointKey(s.name, s.url)));
      upstream.retain(new Set(version.subgraphs.map((s) => s.name)));
      current = runtimeOf(version);
    },
    current: () => current,
    forSchema(schema) {
      const version = gateway.versionOf(schema);
      return version ? runtimeOf(version) : current;
    },
    close: () => upstream.close(),
  };
}
