import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { createMetrics, type Metrics } from '../../lib/metrics/createMetrics.ts';
import type { VersionedGateway } from '../supergraph/createVersionedGateway.ts';

/** How a subgraph fetch ended, as the gateway saw it. */
export type SubgraphOutcome = 'ok' | 'errors' | 'timeout' | 'unavailable';

export interface GatewayMetrics {
  readonly metrics: Metrics;
  /** Counts and times every operation Apollo Server runs (HTTP, and queries over WebSocket or SSE). */
  readonly plugin: ApolloServerPlugin<BaseContext>;
  subgraphFetch(subgraph: string, seconds: number, outcome: SubgraphOutcome): void;
  /** A subscription stream began; call the returned function when it ends. */
  subscriptionOpened(): () => void;
}

/**
 * The gateway's Prometheus metrics: what clients asked and how it went, what
 * each subgraph cost, how many live subscriptions the process holds, and
 * which supergraph it serves.
 */
export function createGatewayMetrics(gateway: Pick<VersionedGateway, 'status' | 'openDataSources' | 'onVersion'>): GatewayMetrics {
  const metrics = createMetrics('gateway');
  const operations = metrics.counter(
    'gatehouse_gateway_operations_total',
    'GraphQL operations answered, by type and outcome (ok, partial: data with errors, failed: no data).',
    ['type', 'outcome'],
  );
  const operationSeconds = metrics.histogram('gatehouse_gateway_operation_duration_seconds', 'Time from receiving an operation to sending its response.', [
    'type',
  ]);
  const fetches = metrics.histogram(
    'gatehouse_gateway_subgraph_fetch_duration_seconds',
    "Subgraph fetches of clients' operations, by subgraph and outcome (ok, errors, timeout, unavailable).",
    ['subgraph', 'outcome'],
  );
  let openSubscriptions = 0;
  metrics.gauge('gatehouse_gateway_subscriptions_open', 'Subscriptions this gateway process is streaming to clients.', [], (gauge) =>
    gauge.set(openSubscriptions),
  );
  metrics.gauge(
    'gatehouse_gateway_open_data_sources',
    'Subgraph data sources (each with its connection pool) kept open across the supergraph versions in use.',
    [],
    (gauge) => gauge.set(gateway.openDataSources()),
  );
  const switches = metrics.counter('gatehouse_gateway_supergraph_switches_total', 'Supergraph versions switched to, the first one included.');
  metrics.gauge(
    'gatehouse_gateway_supergraph_info',
    'The supergraph this gateway serves (1, labelled with its id), and when it was loaded.',
    ['id', 'loaded_at'],
    (gauge) => {
      gauge.reset();
      const current = gateway.status().current;
      if (current) gauge.set({ id: current.id, loaded_at: current.loadedAt }, 1);
    },
  );
  metrics.gauge(
    'gatehouse_gateway_supergraph_rejected',
    'Whether the newest candidate supergraph was refused since the last switch (see /readyz for why).',
    [],
    (gauge) => gauge.set(gateway.status().rejected ? 1 : 0),
  );
  gateway.onVersion(() => switches.inc());

  return {
    metrics,
    plugin: {
      async requestDidStart() {
        const started = performance.now();
        return {
          async willSendResponse({ operation, response }) {
            const type = operation?.operation ?? 'invalid';
            const result = response.body.kind === 'single' ? response.body.singleResult : null;
            const hasData = result?.data !== undefined && result.data !== null;
            const outcome = !result?.errors?.length ? 'ok' : hasData ? 'partial' : 'failed';
            operations.inc({ type, outcome });
            operationSeconds.observe({ type }, (performance.now() - started) / 1000);
          },
        };
      },
    },
    subgraphFetch: (subgraph, seconds, outcome) => fetches.observe({ subgraph, outcome }, seconds),
    subscriptionOpened() {
      openSubscriptions += 1;
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        openSubscriptions -= 1;
      };
    },
  };
}
