import type { SupergraphManager } from '@apollo/gateway';
import { DIRECTORY_SUBGRAPH } from '../../composition/subgraphDefinition.ts';
import type { Logger } from '../../lib/log.ts';
import type { WorkerBudget } from '../../lib/worker/createBudgetedWorker.ts';
import type { IdentityForwarding } from '../auth/createIdentityForwarding.ts';
import { SubgraphDataSource } from '../dataSources/SubgraphDataSource.ts';
import { createDirectoryDataSource } from '../directory/createDirectoryDataSource.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gatewayMetrics.ts';
import { createSubscriptionRuntimes, type SubscriptionRuntimes } from '../subscriptions/createSubscriptionRuntimes.ts';
import { createVersionedGateway, type VersionedGateway } from '../supergraph/createVersionedGateway.ts';
import { noteSubgraphOutcome, traceDataSource } from '../tracing/traceDataSource.ts';

export interface GatewayExecutionOptions {
  supergraph: SupergraphManager;
  log: Logger;
  subgraphDeadlineMs: number;
  identity: { forward: IdentityForwarding };
  releaseGraceMs?: number;
  buildBudget?: WorkerBudget;
}

export interface GatewayExecution {
  gateway: VersionedGateway;
  metrics: GatewayMetrics;
  /** What subscriptions run on, kept in step with the supergraph. */
  runtimes: SubscriptionRuntimes;
}

/** The supergraph the gateway serves: its versions, the data sources each plans onto, and the metrics of both. */
export function createGatewayExecution(options: GatewayExecutionOptions): GatewayExecution {
  const gateway = createVersionedGateway({
    source: options.supergraph,
    log: options.log,
    releaseGraceMs: options.releaseGraceMs,
    buildBudget: options.buildBudget,
    buildDataSource: ({ name, url }, supergraphSdl) =>
      name === DIRECTORY_SUBGRAPH
        ? traceDataSource(createDirectoryDataSource(supergraphSdl), name)
        : traceDataSource(
            new SubgraphDataSource({
              name,
              url,
              deadlineMs: options.subgraphDeadlineMs,
              identity: options.identity.forward,
              observe: (...fetch) => {
                metrics.subgraphFetch(...fetch);
                noteSubgraphOutcome(fetch[2]);
              },
            }),
            name,
            options.subgraphDeadlineMs,
          ),
  });
  // Data sources are built, and fetch, only after this line has run.
  const metrics = createGatewayMetrics(gateway);
  const runtimes = createSubscriptionRuntimes(options.log, gateway);
  gateway.onVersion((version) => runtimes.update(version));
  return { gateway, metrics, runtimes };
}
