/**
 * The registry keeps what it refused, for its console: a refused publish is
 * kept with its reason and errors, a refused dry run (`check`) is not, only
 * the newest 200 are kept, and the console page itself can be turned off
 * (production) while the reads still answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { startRegistry, type RunningRegistry } from '../../registry/startRegistry.ts';
import { createRefusalStore, KEPT_REFUSALS } from '../../registry/store/refusalStore.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { startSdlServer, type SdlServer } from '../support/sdlServer.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { silentLogger as quiet } from '../support/logs.ts';

const ADMIN = 'test-admin-token-for-refusals';
/** Redefines a field of the mall kit's shared types with another type: it cannot compose. */
const CONFLICT = 'type Query { rival: MallSearch }\ntype MallSearch { offers: Int }';

let mongo: MongoConnection;
let sdls: SdlServer;
let registry: RunningRegistry;

beforeAll(async () => {
  mongo = await createTestDatabase('registry_refusals');
  sdls = await startSdlServer();
  const sdl = mallSdl({ id: 'hanbit', name: 'HANBIT', homepage: 'http://hanbit.example/' });
  registry = await startRegistry({
    db: mongo.db,
    log: quiet,
    adminToken: ADMIN,
    seed: () => [{ name: 'hanbit', url: sdls.serve('hanbit', sdl), sdl }],
    port: 0,
    console: false,
  });
});
afterAll(async () => {
  await registry?.close();
  await sdls?.close();
  await mongo?.close();
});

const publish = (name: string, sdl: string, dryRun = false) =>
  fetch(`${registry.url}/v1/subgraphs/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', 'x-gatehouse-user': 'lee' },
    body: JSON.stringify({ routingUrl: sdls.serve(name, sdl), sdl, dryRun }),
  });
const refusals = async () =>
  (
    (await (await fetch(`${registry.url}/v1/refusals`)).json()) as {
      refusals: Array<{ name: string; action: string; reason: string; errors: string[]; by: string }>;
    }
  ).refusals;

describe('refused changes', () => {
  it('keeps a refused publish with its reason and errors, and not a refused check', async () => {
    expect((await publish('checked', CONFLICT, true)).status).toBe(422);
    expect(await refusals()).toEqual([]);
    expect((await publish('rival', CONFLICT)).status).toBe(422);
    const [kept, ...rest] = await refusals();
    expect(rest).toEqual([]);
    expect(kept).toMatchObject({ name: 'rival', action: 'publish', reason: 'composition', by: 'lee' });
    expect(kept!.errors.join('\n')).toMatch(/MallSearch\.offers/);
  });

  it('keeps only the newest refusals', async () => {
    const store = createRefusalStore(mongo.db);
    const start = Date.now();
    for (let i = 0; i < KEPT_REFUSALS + 5; i += 1) {
      await store.record({ action: 'publish', name: `n${i}`, by: 'test', at: new Date(start + 1000 + i), reason: 'limits', errors: ['too big'] });
    }
    const kept = await store.recent();
    expect(kept).toHaveLength(KEPT_REFUSALS);
    expect(kept[0]!.name).toBe(`n${KEPT_REFUSALS + 4}`);
    expect(kept.at(-1)!.name).toBe('n5');
  });

  it('serves no console page when turned off, while its reads answer', async () => {
    expect((await fetch(`${registry.url}/`)).status).toBe(404);
    expect((await fetch(`${registry.url}/v1/refusals`)).status).toBe(200);
  });
});
