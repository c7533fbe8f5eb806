import type { Express } from 'express';

export interface Readiness {
  ready: boolean;
  detail: Record<string, unknown>;
}

/** `/healthz`: the process answers. `/readyz`: it has a supergraph and can serve queries. */
export function useHealthRoutes(app: Express, readiness: () => Readiness): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const { ready, detail } = readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', ...detail });
  });
}
