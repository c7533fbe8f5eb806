import type { Express } from 'express';

/**
 * `GET /`: where a person who opens the gateway in a browser can go next —
 * the GraphQL IDE, the portal widget and, when the gateway knows where it
 * is, the registry console. Served with the IDE (demo profile, or
 * GATEHOUSE_INTROSPECTION=true).
 */
export function useLandingPage(app: Express, options: { registryConsoleUrl?: string }): void {
  const registry = options.registryConsoleUrl
    ? `<li><a href="${escapeHtml(new URL('/', options.registryConsoleUrl).href)}">Registry console</a> — every subgraph, its history and schema diffs, the supergraph, refused changes</li>`
    : '<li>Registry console: this gateway does not follow a registry (set GATEHOUSE_REGISTRY_URL)</li>';
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Gatehouse</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1d2330}a{color:#0b5cad}li{margin:.5rem 0}</style></head>
<body>
<h1>Gatehouse</h1>
<p>One GraphQL API over every mall, the product catalog and the approval systems.</p>
<ul>
<li><a href="/graphql">GraphQL IDE</a> — explore the schema, search every mall, watch approval counts live</li>
<li><a href="/portal/">Portal widget</a> — the approval badge an intranet page embeds</li>
${registry}
</ul>
</body>
</html>
`;
  app.get('/', (_req, res) => {
    res.type('html').send(page);
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
