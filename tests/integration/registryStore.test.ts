import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createRegistry, type ChangeRequest } from '../../registry/createRegistry.ts';
import { createRegistryStore, type Revision } from '../../registry/store/registryStore.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

let mongo: MongoConnection;
const announced: Revision[] = [];
const publish: ChangeRequest = { by: 'team', scope: { kind: 'team', team: 'malls', contributes: [] }, allowBreaking: false, dryRun: false };
const mall = (id: string) => ({
  name: id,
  url: `http://127.0.0.1:4999/${id}/graphql`,
  sdl: mallSdl({ id, name: id.toUpperCase(), homepage: `http://${id}.example/` }),
});

beforeAll(async () => {
  mongo = await createTestDatabase('registry');
});
afterAll(async () => {
  await mongo?.close();
});

describe('the registry on a real database', () => {
  it('seeds once from supergraph.yaml', async () => {
    const registry = createRegistry(createRegistryStore(mongo.db), (r) => announced.push(r));
    expect(await registry.seed(readSupergraphConfig('supergraph.yaml'), 'seed')).toBe(true);
    expect(await registry.seed(readSupergraphConfig('supergraph.yaml'), 'seed')).toBe(false);
    const latest = await registry.latest();
    expect(latest?.revision).toBe(1);
    expect(latest?.subgraphs.map((s) => s.name).sort()).toEqual(['approval', 'catalog', 'daehan', 'hanbit', 'sejong']);
    expect(announced.map((r) => r.revision)).toEqual([1]);
  });

  it('lands every one of several racing publishes from separate registry replicas, each as its own revision', async () => {
    // Three replicas, each with its own store (and cache), like three processes.
    const replicas = [0, 1, 2].map(() => createRegistry(createRegistryStore(mongo.db), (r) => announced.push(r)));
    const ids = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const outcomes = await Promise.all(ids.map((id, i) => replicas[i % 3]!.publish(mall(id), publish)));
    expect(outcomes.map((o) => o.status)).toEqual(ids.map(() => 'published'));
    const revisions = outcomes.map((o) => (o.status === 'published' ? o.revision : 0)).sort((a, b) => a - b);
    expect(revisions).toEqual([2, 3, 4, 5, 6, 7]);
    const latest = await createRegistry(createRegistryStore(mongo.db), () => undefined).latest();
    expect(latest?.revision).toBe(7);
    expect(latest?.subgraphs.map((s) => s.name).sort()).toEqual([
      'alpha',
      'approval',
      'bravo',
      'catalog',
      'charlie',
      'daehan',
      'delta',
      'echo',
      'foxtrot',
      'hanbit',
      'sejong',
    ]);
    for (const id of ids) expect(latest?.supergraphSdl).toContain(`${id[0]!.toUpperCase()}${id.slice(1)}Mall`);
  });

  it('keeps nothing of a refused change, treats a republish of the same thing as no change, and keeps history', async () => {
    const store = createRegistryStore(mongo.db);
    const registry = createRegistry(store, (r) => announced.push(r));
    const before = announced.length;
    expect(await registry.publish({ ...mall('alpha'), sdl: 'type Query {' }, publish)).toMatchObject({ status: 'refused', reason: 'composition' });
    expect(await registry.publish(mall('alpha'), publish)).toMatchObject({ status: 'unchanged', revision: 7 });
    expect(await registry.remove('alpha', { ...publish, dryRun: true })).toMatchObject({ status: 'checked', revision: 7 });
    expect(announced.length).toBe(before);
    expect(await registry.remove('alpha', publish)).toMatchObject({ status: 'deleted', revision: 8 });
    const history = await store.history('alpha');
    expect(history.map((h) => [h.action, h.by])).toEqual([
      ['publish', 'team'],
      ['delete', 'team'],
    ]);
    expect((await store.history('catalog')).map((h) => h.action)).toEqual(['seed']);
    expect((await registry.latest())?.subgraphs.some((s) => s.name === 'alpha')).toBe(false);
  });

  it('answers every read that starts after a new revision with that revision, however the reads overlap', async () => {
    const reader = createRegistryStore(mongo.db);
    const start = (await reader.latest())!.revision;
    // Another replica publishes; then gateways ask this one at nearly the same moment (as on a notice).
    await createRegistry(createRegistryStore(mongo.db), () => undefined).publish(mall('golf'), publish);
    const reads: Array<Promise<Revision | null>> = [];
    for (let i = 0; i < 60; i += 1) {
      reads.push(reader.latest());
      await new Promise((resolve) => (i % 2 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
    expect((await Promise.all(reads)).map((r) => r?.revision)).toEqual(reads.map(() => start + 1));
  });
});
