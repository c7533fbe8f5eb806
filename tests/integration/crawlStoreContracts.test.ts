import { afterAll } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createCrawlCache } from '../../subgraphs/malls/kit/crawlCache.ts';
import { createCrawlLeases } from '../../subgraphs/malls/kit/crawlLeases.ts';
import { describeCrawlCache, describeCrawlLeases } from '../support/crawlStoreContracts.ts';
import { silentLogger } from '../support/logs.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

const connections: MongoConnection[] = [];
// Each test its own database, as each in-memory store starts empty.
const freshDb = async () => {
  const connection = await createTestDatabase('crawlcontract');
  connections.push(connection);
  return connection.db;
};
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
});

describeCrawlCache('MongoDB', async (retainMs) => createCrawlCache(await freshDb(), { retainMs, log: silentLogger }));
describeCrawlLeases('MongoDB', async () => {
  const db = await freshDb();
  return (holder: string) => createCrawlLeases(db, holder);
});
