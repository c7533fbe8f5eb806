import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/http/freePort.ts';
import { listen } from '../../lib/http/listen.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { testMongoUri } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

/** A TCP relay to the test database that the test can take down, as an outage would. */
async function startDatabaseRelay(target: URL): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  const port = Number(new URL(await listen(server as unknown as HttpServer)).port);
  return {
    port,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe('a subgraph whose database is down', () => {
  let catalog: ServiceProcess;
  let relay: Awaited<ReturnType<typeof startDatabaseRelay>>;
  let graphqlUrl: string;
  let logDir: string;

  beforeAll(async () => {
    const database = new URL(testMongoUri());
    relay = await startDatabaseRelay(database);
    const relayed = new URL(testMongoUri());
    relayed.host = `127.0.0.1:${relay.port}`;
    const port = await freePort();
    graphqlUrl = `http://127.0.0.1:${port}/graphql`;
    logDir = mkdtempSync(join(tmpdir(), 'gatehouse-masking-'));
    const env = {
      PORT: String(port),
      MONGODB_URI: relayed.toString(),
      MONGODB_DB_PREFIX: `test_masking_${randomUUID().slice(0, 8)}`,
      CATALOG_PRODUCT_CACHE_MS: '0',
    };
    catalog = await spawnService(
      { name: 'catalog', entry: 'subgraphs/catalog/main.ts', env, readyUrl: `http://127.0.0.1:${port}/healthz` },
      { logs: { logDir } },
    );
  });
  afterAll(async () => {
    await catalog?.stop();
    await relay?.stop().catch(() => undefined);
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('still passes errors raised on purpose', async () => {
    const response = await postGraphQL(graphqlUrl, '{ products(first: 1000) { totalCount } }');
    expect(response.errors?.[0]).toMatchObject({ message: 'first must be between 1 and 100, got 1000.', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('tells the client an id instead of the driver message and the address, and logs them under it', async () => {
    const before = await postGraphQL<{ product: unknown }>(graphqlUrl, '{ product(id: "p-00001") { id } }');
    expect(before.errors).toBeUndefined();
    await relay.stop();

    // The first query may meet the pooled connection as it is cut; later ones find the port closed.
    const line = await waitFor(
      'a masked error whose logged original is the refused connection',
      async () => {
        const id = await queryExpectingMaskedError();
        const logged = await waitFor(`log line for id ${id}`, () =>
          readFileSync(join(logDir, 'catalog.log'), 'utf8')
            .split('\n')
            .find((l) => l.includes(`(id ${id})`)),
        );
        return logged.includes('ECONNREFUSED') && logged;
      },
      35_000,
    );
    expect(line).toMatch(/error catalog: unexpected error at product \(id [0-9a-f]{8}\), masked for the client: .*connect ECONNREFUSED 127\.0\.0\.1:\d+/);
  }, 60_000);

  /** Queries the catalog, checks nothing internal leaked, and returns the id the client was given. */
  async function queryExpectingMaskedError(): Promise<string> {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ product(id: "p-00002") { id name } }' }),
    });
    const text = await response.text();
    for (const leak of ['127.0.0.1', 'ECONNREFUSED', String(relay.port), 'Mongo', 'socket']) expect(text).not.toContain(leak);
    const [error] = (JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string } }> }).errors;
    expect(error?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    const id = /^internal error in subgraph catalog; see its log \(id ([0-9a-f]{8})\)$/.exec(error?.message ?? '')?.[1];
    if (!id) throw new Error(`expected a masked error, got ${text}`);
    return id;
  }
});
