import { createLogger } from '../../lib/log.ts';
import { connectMongo } from '../../lib/mongo/connectMongo.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { startTracing } from '../../lib/tracing/startTracing.ts';
import { catalogConfigFromEnv } from './config.ts';
import { createCatalogSubgraph } from './createCatalogSubgraph.ts';

const log = createLogger('catalog');

// Products come in through `gatehouse catalog import FILE`; the demo launcher seeds the demo catalog itself.
runMain(log, async () => {
  const config = catalogConfigFromEnv();
  const tracing = await startTracing(config.tracing, 'catalog', log);
  const mongo = await connectMongo(config.mongoUri, config.database);
  try {
    const subgraph = await createCatalogSubgraph({
      db: mongo.db,
      port: config.port,
      host: config.host,
      productCacheTtlMs: config.productCacheTtlMs,
      serve: config.serve,
    });
    log.info(`catalog subgraph ready at ${subgraph.url} (profile ${config.profile})`);
    return async () => {
      await subgraph.close();
      await mongo.close();
      await tracing.shutdown();
    };
  } catch (error) {
    await mongo.close();
    throw error;
  }
});
