import { describe, expect, it } from 'vitest';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { createRegistry, type ChangeRequest, type Registry } from '../../registry/createRegistry.ts';
import type { ChangeEvaluator } from '../../registry/evaluate/createChangeEvaluator.ts';
import { evaluateWithinLimits } from '../../registry/evaluate/evaluateWithinLimits.ts';
import { createMemoryRegistryStore } from '../../registry/store/memoryRegistryStore.ts';
import { createMemoryRevisionRecords, type MemoryRevisionRecords } from '../../registry/store/memoryRevisionRecords.ts';
import type { RegistryStore, Revision } from '../../registry/store/registryStore.ts';
import { createRevisionChainStore } from '../../registry/store/revisionChainStore.ts';
import type { RevisionRecords } from '../../registry/store/revisionRecords.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';

const seedSubgraphs = readSupergraphConfig('supergraph.yaml');
const team = (name: string): ChangeRequest => ({
  by: `team ${name}`,
  scope: { kind: 'team', team: name, contributes: [] },
  allowBreaking: false,
  dryRun: false,
});
const mall = (id: string) => ({
  name: id,
  url: `http://127.0.0.1:4999/${id}/graphql`,
  sdl: mallSdl({ id, name: id.toUpperCase(), homepage: `http://${id}.example/` }),
});

/** Composition in this thread: the worker-thread evaluator is covered by the integration tests. */
const inProcess: ChangeEvaluator = {
  evaluate: (...args) => Promise.resolve(evaluateWithinLimits(...args)),
  checkLimits: () => Promise.resolve(null),
  validateOperations: () => Promise.resolve([]),
  close: () => Promise.resolve(),
};

function registryOver(store: RegistryStore, announced: Revision[] = []): Registry {
  return createRegistry(store, (revision) => announced.push(revision), { evaluator: inProcess });
}

/** Revision 1 from supergraph.yaml, composed once for the file. */
let seedRevision: Revision | null = null;

/** A registry over fresh in-memory records holding the seed revision. */
async function seeded(records: MemoryRevisionRecords = createMemoryRevisionRecords()) {
  const store = createMemoryRegistryStore(records);
  const announced: Revision[] = [];
  const registry = registryOver(store, announced);
  if (!seedRevision) {
    expect(await registry.seed(seedSubgraphs, 'seed')).toBe(true);
    seedRevision = (await store.latest())!;
  } else {
    const { revision: _one, ...first } = seedRevision;
    expect(await store.append(0, first)).toMatchObject({ revision: 1 });
  }
  return { records, store, registry, announced };
}

/** Holds every writer's first insert until `writers` have tried, so they all race for the same revision. */
function racing(records: RevisionRecords, writers: number): RevisionRecords & { inserts: number[] } {
  const held: Array<() => void> = [];
  const inserts: number[] = [];
  return {
    ...records,
    inserts,
    async insertRevision(doc) {
      inserts.push(doc._id);
      if (held.length < writers) {
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (held.length === writers) for (const release of held) release();
        });
      }
      return records.insertRevision(doc);
    },
  };
}

describe('the registry store in memory', () => {
  it('gives a revision number to exactly one of two writers appending after the same revision', async () => {
    const { records, store } = await seeded();
    const latest = (await store.latest())!;
    const [a, b] = [createMemoryRegistryStore(records), createMemoryRegistryStore(records)];
    const next = (by: string) => ({
      subgraphs: latest.subgraphs,
      supergraphSdl: latest.supergraphSdl,
      change: { action: 'publish' as const, name: 'catalog', by, at: new Date() },
    });
    const outcomes = await Promise.all([a.append(1, next('a')), b.append(1, next('b'))]);
    expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(1);
    const winner = outcomes.find((o) => o !== 'conflict') as Revision;
    expect(winner.revision).toBe(2);
    // A third replica, reading afresh, sees the winner's change and nothing of the loser's.
    expect((await createMemoryRegistryStore(records).latest())?.change.by).toBe(winner.change.by);
  });

  it('lands both of two racing publishes from separate replicas: the loser re-checks against the winner and takes the next revision', async () => {
    const { records } = await seeded();
    const race = racing(records, 2);
    const announced: Revision[] = [];
    const [first, second] = [registryOver(createRevisionChainStore(race), announced), registryOver(createRevisionChainStore(race), announced)];
    const outcomes = await Promise.all([first.publish(mall('alpha'), team('alpha')), second.publish(mall('bravo'), team('bravo'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['published', 'published']);
    expect(outcomes.map((o) => (o.status === 'published' ? o.revision : 0)).sort()).toEqual([2, 3]);
    expect(announced.map((r) => r.revision).sort()).toEqual([2, 3]);
    // Both tried revision 2; the one refused it tried again at 3.
    expect(race.inserts).toEqual([2, 2, 3]);
    const latest = (await createMemoryRegistryStore(records).latest())!;
    expect(latest.revision).toBe(3);
    expect(latest.subgraphs.map((s) => s.name)).toEqual(expect.arrayContaining(['alpha', 'bravo']));
    expect(latest.supergraphSdl).toMatch(/AlphaMall[\s\S]*BravoMall|BravoMall[\s\S]*AlphaMall/);
  });

  it('keeps the history of each subgraph apart: its publishes and deletes, and the seed that held it', async () => {
    const { store, registry } = await seeded();
    await registry.publish(mall('alpha'), team('alpha'));
    await registry.publish(mall('bravo'), team('bravo'));
    await registry.publish({ ...mall('alpha'), url: 'http://127.0.0.1:5000/alpha/graphql' }, team('alpha'));
    await registry.remove('alpha', team('alpha'));
    const alpha = await store.history('alpha');
    expect(alpha.map((h) => [h.revision, h.action, h.by, h.url])).toEqual([
      [2, 'publish', 'team alpha', 'http://127.0.0.1:4999/alpha/graphql'],
      [4, 'publish', 'team alpha', 'http://127.0.0.1:5000/alpha/graphql'],
      [5, 'delete', 'team alpha', null],
    ]);
    expect(alpha[0]!.schemaHash).toBe(alpha[1]!.schemaHash);
    expect(alpha[2]!.schemaHash).toBeNull();
    expect((await store.history('bravo')).map((h) => [h.revision, h.action])).toEqual([[3, 'publish']]);
    expect((await store.history('catalog')).map((h) => [h.revision, h.action, h.by])).toEqual([[1, 'seed', 'seed']]);
    expect(await store.history('nobody')).toEqual([]);
  });

  it('stores each SDL once by its hash, however many revisions and replicas name it', async () => {
    const { records, registry } = await seeded();
    // The seed: five subgraph SDLs and one supergraph.
    expect(records.schemas.size).toBe(seedSubgraphs.length + 1);
    await registry.publish(mall('alpha'), team('alpha'));
    // Only alpha's SDL and the new supergraph are new; the five others are named by hash again.
    expect(records.schemas.size).toBe(seedSubgraphs.length + 3);
    // A republish under a new URL from another replica (its own cache) stores a new supergraph only.
    const other = registryOver(createMemoryRegistryStore(records));
    expect(await other.publish({ ...mall('alpha'), url: 'http://127.0.0.1:5000/alpha/graphql' }, team('alpha'))).toMatchObject({
      status: 'published',
      revision: 3,
    });
    expect(records.schemas.size).toBe(seedSubgraphs.length + 4);
    const latest = (await createMemoryRegistryStore(records).latest())!;
    expect(latest.subgraphs.find((s) => s.name === 'alpha')).toMatchObject({
      url: 'http://127.0.0.1:5000/alpha/graphql',
      sdl: mall('alpha').sdl,
      owner: 'alpha',
      revision: 3,
    });
  });

  it('names a schema the records lost, rather than answering a revision without it', async () => {
    const records = createMemoryRevisionRecords();
    const at = new Date();
    expect(await records.insertRevision({ _id: 1, subgraphs: [], supergraphHash: 'f00d', change: { action: 'seed', name: null, by: 'seed', at } })).toBe(true);
    await expect(createMemoryRegistryStore(records).latest()).rejects.toThrow('registry database is missing schema f00d; restore it from a backup');
  });
});

describe('the registry over the in-memory store', () => {
  it('refuses a change that does not compose and keeps nothing of it', async () => {
    const { store, registry, announced } = await seeded();
    expect(await registry.publish({ ...mall('alpha'), sdl: 'type Query {' }, team('alpha'))).toMatchObject({ status: 'refused', reason: 'composition' });
    expect((await store.latest())?.revision).toBe(1);
    expect(await store.history('alpha')).toEqual([]);
    expect(announced).toEqual([]);
  });

  it("refuses a team publishing over another team's subgraph, and treats a republish of the same thing as no change", async () => {
    const { store, registry } = await seeded();
    expect(await registry.publish(mall('alpha'), team('alpha'))).toMatchObject({ status: 'published', revision: 2 });
    const taken = await registry.publish({ ...mall('alpha'), url: 'http://127.0.0.1:5000/alpha/graphql' }, team('bravo'));
    expect(taken).toMatchObject({ status: 'refused', reason: 'ownership' });
    expect(taken.status === 'refused' && taken.errors[0]).toContain('alpha');
    expect(await registry.publish(mall('alpha'), team('alpha'))).toMatchObject({ status: 'unchanged', revision: 2 });
    expect((await store.latest())?.subgraphs.find((s) => s.name === 'alpha')?.url).toBe('http://127.0.0.1:4999/alpha/graphql');
  });

  it('checks a change without storing it on a dry run', async () => {
    const { store, registry, announced } = await seeded();
    expect(await registry.publish(mall('alpha'), { ...team('alpha'), dryRun: true })).toMatchObject({ status: 'checked', revision: 1 });
    expect((await store.latest())?.revision).toBe(1);
    expect(announced).toEqual([]);
  });

  it('seeds only an empty registry', async () => {
    const { records, registry } = await seeded();
    expect(await registry.seed(seedSubgraphs, 'seed')).toBe(false);
    expect(await registryOver(createMemoryRegistryStore(records)).seed(seedSubgraphs, 'seed')).toBe(false);
  });
});
