import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { startRegistry, type RunningRegistry } from '../../registry/startRegistry.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { scrape } from '../support/prometheusText.ts';
import { startSdlServer, type SdlServer } from '../support/sdlServer.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { silentLogger as quiet } from '../support/logs.ts';

const ADMIN = 'test-admin-token-for-metrics';
/** Serves each mall's SDL, so publishes pass the registry's probe. */
let sdls: SdlServer;
const mall = (id: string) => {
  const sdl = mallSdl({ id, name: id.toUpperCase(), homepage: `http://${id}.example/` });
  return { routingUrl: sdls.serve(id, sdl), sdl };
};

let mongo: MongoConnection;
let registry: RunningRegistry;

beforeAll(async () => {
  mongo = await createTestDatabase('registry_metrics');
  sdls = await startSdlServer();
  registry = await startRegistry({
    db: mongo.db,
    log: quiet,
    adminToken: ADMIN,
    seed: () => [{ name: 'hanbit', url: mall('hanbit').routingUrl, sdl: mall('hanbit').sdl }],
    port: 0,
  });
});
afterAll(async () => {
  await registry?.close();
  await sdls?.close();
  await mongo?.close();
});

const change = (method: 'PUT' | 'DELETE', name: string, body?: unknown) =>
  fetch(`${registry.url}/v1/subgraphs/${name}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('registry metrics at /metrics', () => {
  it('count changes by outcome and show the newest revision', async () => {
    expect((await change('PUT', 'outlet', mall('outlet'))).status).toBe(200);
    expect((await change('PUT', 'outlet', mall('outlet'))).status).toBe(200);
    expect(
      (await change('PUT', 'broken', { routingUrl: sdls.serve('broken', 'type Query { broken: Nope }'), sdl: 'type Query { broken: Nope }' })).status,
    ).toBe(422);
    expect((await change('PUT', 'gift', { ...mall('gift'), dryRun: true })).status).toBe(200);
    expect((await change('DELETE', 'nowhere')).status).toBe(404);
    const { revision } = (await (await fetch(`${registry.url}/v1/subgraphs`)).json()) as { revision: number };

    const page = await scrape(`${registry.url}/metrics`);
    expect(page.contentType).toMatch(/^text\/plain/);
    expect(page.value('gatehouse_registry_changes_total', { action: 'publish', outcome: 'published' })).toBe(1);
    expect(page.value('gatehouse_registry_changes_total', { action: 'publish', outcome: 'unchanged' })).toBe(1);
    expect(page.value('gatehouse_registry_changes_total', { action: 'publish', outcome: 'refused_composition' })).toBe(1);
    expect(page.value('gatehouse_registry_changes_total', { action: 'publish', outcome: 'checked' })).toBe(1);
    expect(page.value('gatehouse_registry_changes_total', { action: 'delete', outcome: 'refused_unknown_subgraph' })).toBe(1);
    expect(page.value('gatehouse_registry_revision')).toBe(revision);
    expect(revision).toBe(2);
  });
});
