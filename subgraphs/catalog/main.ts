import { generateCatalog } from '../../demo/catalog/generateCatalog.ts';
import { envInt, envString } from '../../lib/env.ts';
import { createLogger } from '../../lib/log.ts';
import { connectMongo, databaseName } from '../../lib/mongo/connectMongo.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { createCatalogSubgraph } from './createCatalogSubgraph.ts';
import { createProductStore } from './productStore.ts';

const log = createLogger('catalog');

runMain(log, async () => {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set; run the catalog through `npm start` or point MONGODB_URI at MongoDB');
  const port = envInt('PORT', 4001);
  const host = envString('HOST', '127.0.0.1');
  const mongo = await connectMongo(uri, databaseName('catalog'));
  try {
    const store = createProductStore(mongo.db);
    await store.ensureIndexes();
    const seeded = await store.seedIfEmpty(generateCatalog());
    if (seeded > 0) log.info(`seeded ${seeded} demo products`);
    const productCacheTtlMs = envInt('CATALOG_PRODUCT_CACHE_MS', 60_000);
    const subgraph = await createCatalogSubgraph({ db: mongo.db, port, host, productCacheTtlMs });
    log.info(`catalog subgraph ready at ${subgraph.url}`);
    return async () => {
      await subgraph.close();
      await mongo.close();
    };
  } catch (error) {
    await mongo.close();
    throw error;
  }
});
