import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, type MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { catalogDatabase } from '../../subgraphs/catalog/config.ts';
import type { Product } from '../../subgraphs/catalog/productStore.ts';
import { gatehouse } from '../support/gatehouseCli.ts';
import { testMongoUri } from '../support/testDatabase.ts';

/** `gatehouse catalog import FILE` against the real database, as an operator runs it. */
describe('gatehouse catalog import', () => {
  let dir: string;
  let mongo: MongoConnection;
  let env: Record<string, string>;

  const product = (n: number, change: Partial<Product> = {}): Product => ({
    id: `imp-${n}`,
    model: `IMP-${n}00`,
    name: `Imported product ${n}`,
    brand: 'Acme',
    category: 'audio',
    listPrice: 10_000 * n,
    keywords: ['Acme', `thing${n}`],
    ...change,
  });
  const file = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  };
  const stored = () =>
    mongo.db
      .collection<Product>('products')
      .find({}, { projection: { _id: 0 } })
      .sort({ id: 1 })
      .toArray();
  const importFile = (path: string) => gatehouse(['catalog', 'import', path], env);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-import-'));
    env = { MONGODB_URI: testMongoUri(), MONGODB_DB_PREFIX: `test_import_${randomUUID().slice(0, 8)}` };
    mongo = await connectMongo(testMongoUri(), catalogDatabase(env));
  });
  afterAll(async () => {
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file whose third line has a malformed field, naming the line, and imports nothing of it', async () => {
    const path = file('bad-price.jsonl', [
      JSON.stringify(product(1)),
      JSON.stringify(product(2)),
      JSON.stringify({ ...product(3), listPrice: '30000' }),
      JSON.stringify(product(4)),
    ]);
    const run = await importFile(path);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `gatehouse: ${path} line 3: listPrice must be a whole number of KRW from 0 to 2147483647 (GraphQL Int); nothing was imported`,
    );
    expect(await stored()).toEqual([]);
  });

  it.each([
    ['a line that is not JSON', '{"id": "imp-9", ', /line 2: not valid JSON/],
    ['a missing field', JSON.stringify({ ...product(9), name: undefined }), /line 2: name must be a non-empty string/],
    ['an unknown field', JSON.stringify({ ...product(9), price: 1 }), /line 2: unknown field "price"/],
    ['an id already on line 1', JSON.stringify(product(1, { model: 'OTHER' })), /line 2: id "imp-1" is also on line 1/],
    [
      'a keyword that is not a string',
      JSON.stringify(product(9, { keywords: ['ok', 7 as unknown as string] })),
      /line 2: keywords\[1\] must be a non-empty string/,
    ],
  ])('refuses %s and imports nothing', async (_name, bad, message) => {
    const run = await importFile(file(`bad-${randomUUID().slice(0, 6)}.jsonl`, [JSON.stringify(product(1)), bad, JSON.stringify(product(3))]));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await stored()).toEqual([]);
  });

  it('imports a valid file, and importing it again changes nothing (upsert by id)', async () => {
    const path = file('good.jsonl', [JSON.stringify(product(1)), '', JSON.stringify(product(2)), JSON.stringify(product(3))]);
    const first = await importFile(path);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('imported 3 products into');
    expect(first.stdout).toContain('3 new, 0 updated, 0 unchanged');
    const after = await stored();
    // Keywords are stored lower-case, as searches match them.
    expect(after).toEqual([
      product(1, { keywords: ['acme', 'thing1'] }),
      product(2, { keywords: ['acme', 'thing2'] }),
      product(3, { keywords: ['acme', 'thing3'] }),
    ]);

    const again = await importFile(path);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 new, 0 updated, 3 unchanged');
    expect(await stored()).toEqual(after);
  });

  it('updates a changed product in place and adds new ones', async () => {
    const run = await importFile(file('update.jsonl', [JSON.stringify(product(2, { listPrice: 12_345 })), JSON.stringify(product(5))]));
    expect(run.stdout).toContain('1 new, 1 updated, 0 unchanged');
    const byId = new Map((await stored()).map((p) => [p.id, p]));
    expect(byId.size).toBe(4);
    expect(byId.get('imp-2')?.listPrice).toBe(12_345);
  });

  it('refuses a model another stored product already has, before writing any line', async () => {
    const before = await stored();
    const run = await importFile(file('taken-model.jsonl', [JSON.stringify(product(6)), JSON.stringify(product(7, { model: 'IMP-100' }))]));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/line 2: model "IMP-100" belongs to the stored product "imp-1".*nothing was imported/);
    expect(await stored()).toEqual(before);
  });
});
