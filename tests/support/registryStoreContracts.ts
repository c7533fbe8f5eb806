import { describe, expect, it } from 'vitest';
import type { OperationStore } from '../../registry/store/operationStore.ts';
import { KEPT_REFUSALS, type Refusal, type RefusalStore } from '../../registry/store/refusalStore.ts';
import type { RevisionDoc, RevisionRecords } from '../../registry/store/revisionRecords.ts';
import type { TokenRecords } from '../../registry/store/tokenRecords.ts';

/**
 * What every implementation of the registry's smaller stores must do, run
 * on the in-memory ones (tests/unit) and the database ones
 * (tests/integration), so the two cannot drift apart.
 */
export function describeOperationStore(kind: string, create: () => Promise<OperationStore>): void {
  const operation = (id: string) => ({ id, name: `Op${id}`, type: 'query' as const, body: `query Op${id} { __typename }` });
  const manifest = (client: string, version: string, ids: string[]) => ({
    client,
    version,
    operations: ids.map(operation),
    publishedBy: 'admin',
    publishedAt: new Date('2026-01-01T00:00:00Z'),
  });

  describe(`the operation store (${kind})`, () => {
    it('serves every published operation once, with an etag that moves only when the set does', async () => {
      const store = await create();
      const empty = await store.persistedEtag();
      await store.publish(manifest('web', '1.0', ['a', 'b']));
      await store.publish(manifest('ios', '2.0', ['b', 'c']));
      const persisted = await store.persisted();
      expect(persisted.operations.map((o) => o.id).sort()).toEqual(['a', 'b', 'c']);
      expect(persisted.etag).not.toBe(empty);
      expect(await store.persistedEtag()).toBe(persisted.etag);
      await store.publish(manifest('web', '1.0', ['b', 'a']));
      expect(await store.persistedEtag()).toBe(persisted.etag);
      await store.publish(manifest('web', '1.0', ['a']));
      expect(await store.persistedEtag()).not.toBe(persisted.etag);
      expect((await store.manifests()).map((m) => [m.client, m.version, m.operations])).toEqual([
        ['ios', '2.0', 2],
        ['web', '1.0', 1],
      ]);
      expect(await store.remove('web', '1.0')).toBe(true);
      expect(await store.remove('web', '1.0')).toBe(false);
      expect((await store.persisted()).operations.map((o) => o.id).sort()).toEqual(['b', 'c']);
      store.close();
    });

    it('protects manifest operations and those served within the usage window, naming who relies on each', async () => {
      const store = await create();
      await store.publish(manifest('ios', '2.0', ['a']));
      const day = 24 * 60 * 60 * 1000;
      const now = new Date('2026-03-10T00:00:00Z');
      await store.recordUsage([{ ...operation('a'), client: 'web', count: 2 }], new Date(now.getTime() - day));
      await store.recordUsage([{ ...operation('a'), client: 'web', count: 1 }], now);
      await store.recordUsage([{ ...operation('old'), client: 'web', count: 5 }], new Date(now.getTime() - 8 * day));
      const known = await store.knownOperations(now);
      expect(known.map((k) => k.id)).toEqual(['a']);
      expect(known[0]!.clients).toEqual(['ios 2.0 (manifest)', `web (served 3 times, last ${now.toISOString()})`]);
      store.close();
    });
  });
}

export function describeRefusalStore(kind: string, create: () => Promise<RefusalStore>): void {
  const refusal = (n: number, errors: string[] = ['does not compose']): Refusal => ({
    action: 'publish',
    name: `mall${n}`,
    by: 'team malls',
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    reason: 'composition',
    errors,
  });

  describe(`the refusal store (${kind})`, () => {
    it(`answers newest first and keeps only the newest ${KEPT_REFUSALS}`, async () => {
      const store = await create();
      for (let n = 1; n <= KEPT_REFUSALS + 3; n += 1) await store.record(refusal(n));
      const recent = await store.recent();
      expect(recent).toHaveLength(KEPT_REFUSALS);
      expect(recent[0]!.name).toBe(`mall${KEPT_REFUSALS + 3}`);
      expect(recent.at(-1)!.name).toBe('mall4');
      expect((await store.recent(2)).map((r) => r.name)).toEqual([`mall${KEPT_REFUSALS + 3}`, `mall${KEPT_REFUSALS + 2}`]);
    });

    it("cuts a refusal's thousands of errors to a readable few, saying how many were left out", async () => {
      const store = await create();
      const errors = Array.from({ length: 1000 }, (_, i) => `error ${i} ${'x'.repeat(i === 0 ? 5000 : 1)}`);
      await store.record(refusal(1000, errors));
      const [kept] = await store.recent(1);
      expect(kept!.errors).toHaveLength(51);
      expect(kept!.errors[0]!.length).toBe(2001);
      expect(kept!.errors.at(-1)).toBe('… and 950 more');
    });
  });
}

export function describeTokenRecords(kind: string, create: () => Promise<TokenRecords>): void {
  const issued = (id: string, expiresAt: Date, issuedAt = new Date('2026-01-01T00:00:00Z')) => ({
    id,
    team: 'malls',
    subgraphs: ['alpha'],
    issuedBy: 'admin',
    issuedAt,
    expiresAt,
  });

  describe(`the team token records (${kind})`, () => {
    it('lists live tokens oldest first, refuses a reused id, and keeps the first revocation', async () => {
      const records = await create();
      const later = new Date(Date.now() + 60_000);
      await records.add(issued('t2', later, new Date('2026-01-02T00:00:00Z')));
      await records.add(issued('t1', later));
      await records.add(issued('gone', new Date(Date.now() - 1000)));
      await expect(records.add(issued('t1', later))).rejects.toThrow();
      expect((await records.active()).map((t) => t.id)).toEqual(['t1', 't2']);
      const revoked = await records.revoke('t1', 'alice');
      expect(revoked).toMatchObject({ id: 't1', revokedBy: 'alice' });
      expect(await records.revoke('t1', 'bob')).toMatchObject({ revokedBy: 'alice', revokedAt: revoked!.revokedAt });
      expect(await records.revoke('never', 'bob')).toBeNull();
      expect((await records.active()).map((t) => t.id)).toEqual(['t2']);
      expect(await records.forgetExpired(new Date())).toBe(1);
      expect(await records.find('gone')).toBeNull();
      expect(await records.find('t2')).toMatchObject({ team: 'malls', subgraphs: ['alpha'], revokedAt: null });
    });
  });
}

export function describeRevisionRecords(kind: string, create: () => Promise<RevisionRecords>): void {
  const at = new Date('2026-02-01T00:00:00Z');
  const revision = (n: number, action: 'seed' | 'publish' | 'delete', name: string | null, by = 'admin'): RevisionDoc => ({
    _id: n,
    subgraphs:
      name && action !== 'delete'
        ? [{ name, url: `http://127.0.0.1:4999/${name}`, schemaHash: `h-${name}`, publishedBy: by, publishedAt: at, revision: n }]
        : [],
    supergraphHash: `s-${n}`,
    change: { action, name, by, at },
  });

  describe(`the registry's revision records (${kind})`, () => {
    it('insert each revision number once: a second writer of the same number is told so and changes nothing', async () => {
      const records = await create();
      expect(await records.insertRevision(revision(1, 'seed', null))).toBe(true);
      expect(await records.insertRevision(revision(2, 'publish', 'alpha', 'first'))).toBe(true);
      expect(await records.insertRevision(revision(2, 'publish', 'alpha', 'second'))).toBe(false);
      expect((await records.findRevision(2))?.change.by).toBe('first');
      expect(await records.findRevision(3)).toBeNull();
    });

    it('list the revisions naming a subgraph, and every seed, oldest first', async () => {
      const records = await create();
      for (const doc of [revision(1, 'seed', null), revision(3, 'delete', 'alpha'), revision(2, 'publish', 'alpha'), revision(4, 'publish', 'bravo')]) {
        await records.insertRevision(doc);
      }
      expect((await records.revisionsNaming('alpha')).map((d) => [d._id, d.change.action])).toEqual([
        [1, 'seed'],
        [2, 'publish'],
        [3, 'delete'],
      ]);
      expect((await records.revisionsNaming('bravo')).map((d) => d._id)).toEqual([1, 4]);
    });

    it('keep the first schema stored under a hash, and a head hint starting at 0', async () => {
      const records = await create();
      await records.insertSchema('h1', 'type Query { a: Int }');
      await records.insertSchema('h1', 'type Query { b: Int }');
      expect(await records.findSchema('h1')).toBe('type Query { a: Int }');
      expect(await records.findSchema('h2')).toBeNull();
      expect(await records.readHead()).toBe(0);
      await records.writeHead(5);
      await records.writeHead(6);
      expect(await records.readHead()).toBe(6);
    });
  });
}
