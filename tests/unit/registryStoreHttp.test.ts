import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { listen } from '../../lib/http/listen.ts';
import { createRegistry } from '../../registry/createRegistry.ts';
import type { ChangeEvaluator } from '../../registry/evaluate/createChangeEvaluator.ts';
import { evaluateWithinLimits } from '../../registry/evaluate/evaluateWithinLimits.ts';
import { useRegistryRoutes } from '../../registry/http/registryRoutes.ts';
import { createTeamTokens } from '../../registry/http/teamTokens.ts';
import { createMemoryRefusalStore } from '../../registry/store/memoryRefusalStore.ts';
import { createMemoryRegistryStore } from '../../registry/store/memoryRegistryStore.ts';
import { createMemoryTokenRecords } from '../../registry/store/memoryTokenRecords.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { silentLogger } from '../support/logs.ts';

const ADMIN = 'admin-token-for-the-registry-http-unit-test';
const mall = (id: string) => ({
  name: id,
  url: `http://127.0.0.1:4999/${id}/graphql`,
  sdl: mallSdl({ id, name: id.toUpperCase(), homepage: `http://${id}.example/` }),
});
/** Composition in this thread; a schema naming OVERSIZED is over the publish limits. */
const evaluator: ChangeEvaluator = {
  evaluate: (...args) => Promise.resolve(evaluateWithinLimits(...args)),
  checkLimits: (subgraph) => Promise.resolve(subgraph.sdl.includes('OVERSIZED') ? `subgraph "${subgraph.name}" is over the publish limits` : null),
  validateOperations: () => Promise.resolve([]),
  close: () => Promise.resolve(),
};

const store = createMemoryRegistryStore();
const refusals = createMemoryRefusalStore();
const tokens = createMemoryTokenRecords();
const registry = createRegistry(store, () => undefined, { evaluator });
let server: Server;
let url: string;
const teamToken: Record<string, string> = {};

beforeAll(async () => {
  await registry.seed(readSupergraphConfig('supergraph.yaml'), 'seed');
  await registry.publish(mall('alpha'), { by: 'team alpha', scope: { kind: 'team', team: 'alpha', contributes: [] }, allowBreaking: false, dryRun: false });
  // Bravo's token names alpha too: the registry, not the token, has to stop it taking alpha.
  for (const [team, subgraphs] of [
    ['alpha', ['alpha']],
    ['bravo', ['alpha', 'bravo']],
  ] as const) {
    teamToken[team] = (await createTeamTokens(ADMIN, tokens).issue({ team, subgraphs: [...subgraphs], expiresInDays: 1, issuedBy: 'admin' })).token;
  }
  const app = express();
  useRegistryRoutes(app, { registry, adminToken: ADMIN, tokens, log: silentLogger, history: (name) => store.history(name), refusals });
  server = createServer(app);
  url = await listen(server);
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const as = (team: string) => ({ authorization: `Bearer ${teamToken[team]}` });

describe('the registry HTTP API over in-memory stores', () => {
  it('refuses a team deleting a subgraph another team owns and keeps the refusal for the console, but not a refused dry run', async () => {
    const refused = await fetch(`${url}/v1/subgraphs/alpha`, { method: 'DELETE', headers: as('bravo') });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ reason: 'ownership' });
    const checked = await fetch(`${url}/v1/subgraphs/alpha?dryRun=true`, { method: 'DELETE', headers: as('bravo') });
    expect(checked.status).toBe(403);
    expect((await refusals.recent()).map((r) => [r.action, r.name, r.by, r.reason])).toEqual([['delete', 'alpha', 'team bravo', 'ownership']]);
  });

  it('refuses a publish over the limits before probing the service, and keeps it', async () => {
    const response = await fetch(`${url}/v1/subgraphs/bravo`, {
      method: 'PUT',
      headers: { ...as('bravo'), 'content-type': 'application/json' },
      body: JSON.stringify({ routingUrl: 'http://127.0.0.1:4999/bravo/graphql', sdl: `${mall('bravo').sdl}\n# OVERSIZED` }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ reason: 'limits', error: 'subgraph "bravo" is over the publish limits' });
    expect((await refusals.recent(1))[0]).toMatchObject({ action: 'publish', name: 'bravo', reason: 'limits' });
  });

  it('lets the owning team delete its subgraph, after which reads show the new revision and the history', async () => {
    const deleted = await fetch(`${url}/v1/subgraphs/alpha`, { method: 'DELETE', headers: as('alpha') });
    expect(await deleted.json()).toMatchObject({ status: 'deleted', revision: 3 });
    const supergraph = await fetch(`${url}/v1/supergraph`);
    expect(supergraph.headers.get('etag')).toBe('"3"');
    expect(((await supergraph.json()) as { supergraphSdl: string }).supergraphSdl).not.toContain('AlphaMall');
    expect((await fetch(`${url}/v1/supergraph`, { headers: { 'if-none-match': '"3"' } })).status).toBe(304);
    const alpha = (await (await fetch(`${url}/v1/subgraphs/alpha`)).json()) as { current: unknown; history: Array<{ action: string; revision: number }> };
    expect(alpha.current).toBeNull();
    expect(alpha.history.map((h) => [h.revision, h.action])).toEqual([
      [2, 'publish'],
      [3, 'delete'],
    ]);
    expect((await fetch(`${url}/v1/subgraphs/nobody`)).status).toBe(404);
  });
});
