import type { Logger } from '../../lib/log.ts';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { createUpstreamClients } from './createUpstreamClients.ts';
import type { SubscriptionRuntime } from './executeSubscription.ts';

export interface SubscriptionRuntimes {
  /** A new supergraph version: upstream sockets of removed subgraphs close. */
  update(version: SupergraphVersion): void;
  current(): SubscriptionRuntime | null;
  close(): Promise<void>;
}

/**
 * Keeps what subscriptions run on in step with the supergraph. A running
 * subscription keeps the version it started with (and holds it open); new
 * ones get the latest.
 */
export function createSubscriptionRuntimes(log: Logger, hold: (version: SupergraphVersion) => () => void): SubscriptionRuntimes {
  const upstream = createUpstreamClients(log);
  let current: SubscriptionRuntime | null = null;
  return {
    update(version) {
      const urls = new Map(version.subgraphs.map((s) => [s.name, s.url]));
      upstream.retain(new Set(urls.keys()));
      current = {
        version,
        hold: () => hold(version),
        upstream: (subgraph) => {
          const url = urls.get(subgraph);
          if (!url) throw new Error(`subgraph "${subgraph}" is not in the supergraph`);
          return upstream.clientFor(subgraph, url);
        },
      };
    },
    current: () => current,
    close: () => upstream.close(),
  };
}
