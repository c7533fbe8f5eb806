import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Express } from 'express';

const require = createRequire(import.meta.url);

/**
 * The embeddable approval widget at `/portal/`: static files plus the
 * graphql-ws browser bundle, so the page needs no build step or CDN.
 */
export function usePortal(app: Express): void {
  // The browser bundle is not in the package's exports map; it sits beside package.json.
  const bundle = join(dirname(require.resolve('graphql-ws/package.json')), 'umd/graphql-ws.min.js');
  app.get('/portal/graphql-ws.js', (_req, res) => {
    res.sendFile(bundle);
  });
  app.use('/portal', express.static(new URL('./public', import.meta.url).pathname, { index: 'index.html', maxAge: '5m' }));
}
