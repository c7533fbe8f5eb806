import type { Express } from 'express';
import { createMetrics, useMetricsRoute } from '../../lib/metrics/createMetrics.ts';
import type { ChangeOutcome, Registry } from '../createRegistry.ts';

export interface RegistryMetrics {
  /** Counts a publish or delete (a check included) by what became of it. */
  change(action: 'publish' | 'delete', outcome: ChangeOutcome): void;
}

/**
 * The registry's Prometheus metrics at `/metrics`: the revision it serves,
 * and changes by outcome, so an operator sees refused publishes pile up.
 */
export function useRegistryMetrics(app: Express, registry: Pick<Registry, 'latest'>): RegistryMetrics {
  const metrics = createMetrics('registry');
  const changes = metrics.counter(
    'gatehouse_registry_changes_total',
    'Publishes and deletes by outcome: published, deleted, checked (a dry run), unchanged, or refused_<reason>.',
    ['action', 'outcome'],
  );
  metrics.gauge('gatehouse_registry_revision', 'The newest revision in the registry (0 before the first publish).', [], async (gauge) =>
    gauge.set((await registry.latest())?.revision ?? 0),
  );
  useMetricsRoute(app, metrics);
  return {
    change(action, outcome) {
      changes.inc({ action, outcome: outcome.status === 'refused' ? `refused_${outcome.reason.replace('-', '_')}` : outcome.status });
    },
  };
}
