import { join } from 'node:path';
import type { Express, Request } from 'express';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { bundleIde, IDE_FILES } from './bundleIde.ts';

/** Where the IDE's script and style are served; the page itself is `GET /graphql` from a browser. */
export const IDE_ASSETS_PATH = '/ide';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse GraphQL IDE</title>
<link rel="stylesheet" href="${IDE_ASSETS_PATH}/${IDE_FILES.style}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the GraphQL IDE…</div>
<script type="module" src="${IDE_ASSETS_PATH}/${IDE_FILES.script}"></script>
</body>
</html>
`;

/**
 * GraphiQL at `GET /graphql` for a browser (a request that asks for HTML
 * before JSON), its bundle at `/ide/`. The bundle is made on the first
 * request for it, not at start, so replicas that nobody browses never spend
 * the CPU, and cached on disk (bundleIde.ts). Register before `/graphql`'s
 * GraphQL handlers.
 */
export function useIde(app: Express, log: Logger): void {
  let bundled: Promise<string> | undefined;
  const assets = (): Promise<string> => {
    if (!bundled) {
      bundled = bundleIde();
      // Kept: the failure is logged once and each IDE request answers it.
      bundled.catch((error: unknown) => log.error(`the GraphQL IDE is unavailable: ${errorMessage(error)}`));
    }
    return bundled;
  };

  app.get('/graphql', (req, res, next) => {
    if (!wantsHtml(req)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(PAGE);
  });
  app.get(`${IDE_ASSETS_PATH}/:file`, async (req, res, next) => {
    const file = String(req.params.file);
    if (file !== IDE_FILES.script && file !== IDE_FILES.style) return next();
    try {
      const dir = await assets();
      res.sendFile(join(dir, file), { maxAge: '1h' });
    } catch (error) {
      res
        .status(503)
        .type('text/plain')
        .send(`the GraphQL IDE could not be bundled (${errorMessage(error)}); see the gateway's log`);
    }
  });
}

/** A browser's page load: HTML preferred over JSON (GraphQL clients ask for JSON or send a query). */
function wantsHtml(req: Request): boolean {
  if (typeof req.query.query === 'string') return false;
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}
