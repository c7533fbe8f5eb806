import type { Express } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One service's Prometheus metrics. Each service gets a registry of its own
 * (not prom-client's global one), so several services in one process (tests,
 * `npm start`'s in-process parts) never clash over a metric name.
 */
export interface Metrics {
  readonly registry: Registry;
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  /** `collect` sets the gauge at each scrape (it may be async). */
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[], collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L>;
  histogram<L extends string>(name: string, help: string, labelNames?: readonly L[], buckets?: number[]): Histogram<L>;
}

/** Seconds: from a cache hit in memory to a crawl that waited out its budget. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Metrics named `gatehouse_…`, labelled with the service, plus the process's own (memory, CPU, event loop lag). */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  return {
    registry,
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = [], collect) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        ...(collect
          ? {
              collect() {
                return collect(this);
              },
            }
          : {}),
      }),
    histogram: (name, help, labelNames = [], buckets = DURATION_BUCKETS) => new Histogram({ name, help, labelNames, buckets, registers: [registry] }),
  };
}

/** `GET /metrics` in Prometheus's text format. Like the health routes, keep it on an internal port. */
export function useMetricsRoute(app: Express, metrics: Metrics): void {
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
}
