import { connectMongo } from '../../lib/mongo/connectMongo.ts';
import { createProductStore } from '../../subgraphs/catalog/productStore.ts';
import { generateCatalog } from './generateCatalog.ts';

/**
 * Fills an empty catalog database with the demo products the demo mall sites
 * list. The demo launchers call it (system/startSystem.ts, demo/catalog/main.ts
 * in docker-compose); the catalog service itself never seeds.
 */
export async function seedDemoCatalog(mongoUri: string, database: string): Promise<number> {
  const mongo = await connectMongo(mongoUri, database);
  try {
    const store = createProductStore(mongo.db);
    await store.ensureIndexes();
    return await store.seedIfEmpty(generateCatalog());
  } finally {
    await mongo.close();
  }
}
