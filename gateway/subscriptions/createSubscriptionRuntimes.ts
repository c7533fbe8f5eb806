import type { GraphQLDataSource } from '@apollo/gateway';
import type { Logger } from '../../lib/log.ts';
import { createSubscriptionPlanner } from './createSubscriptionPlanner.ts';
import { createUpstreamClients } from './createUpstreamClients.ts';
import type { SubscriptionRuntime } from './executeSubscription.ts';

export interface SubscriptionRuntimes {
  /** A new supergraph: new planner; upstream sockets of removed subgraphs close. */
  update(supergraphSdl: string): void;
  /** The gateway built a data source; subscriptions resolve `rest` through the same ones. */
  recordDataSource(name: string, dataSource: GraphQLDataSource): void;
  current(): SubscriptionRuntime | null;
  close(): Promise<void>;
}

/**
 * Keeps what subscriptions run on in step with the supergraph. A running
 * subscription keeps the runtime it started with; new ones get the latest.
 */
export function createSubscriptionRuntimes(log: Logger): SubscriptionRuntimes {
  const upstream = createUpstreamClients(log);
  const dataSources: Record<string, GraphQLDataSource> = {};
  let current: SubscriptionRuntime | null = null;
  return {
    update(supergraphSdl) {
      const planner = createSubscriptionPlanner(supergraphSdl);
      const urls = new Map(planner.subgraphs.map((s) => [s.name, s.url]));
      for (const name of Object.keys(dataSources)) if (!urls.has(name)) delete dataSources[name];
      upstream.retain(new Set(urls.keys()));
      current = {
        planner,
        dataSources,
        upstream: (subgraph) => {
          const url = urls.get(subgraph);
          if (!url) throw new Error(`subgraph "${subgraph}" is not in the supergraph`);
          return upstream.clientFor(subgraph, url);
        },
      };
    },
    recordDataSource(name, dataSource) {
      dataSources[name] = dataSource;
    },
    current: () => current,
    close: () => upstream.close(),
  };
}
