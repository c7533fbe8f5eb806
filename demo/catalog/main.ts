/**
 * Seeds the demo catalog into an empty catalog database, then exits:
 * docker-compose runs it once before the catalog service. Env: MONGODB_URI,
 * MONGODB_DB_PREFIX.
 */
import { createLogger } from '../../lib/log.ts';
import { envRequired } from '../../lib/env.ts';
import { catalogDatabase } from '../../subgraphs/catalog/config.ts';
import { seedDemoCatalog } from './seedDemoCatalog.ts';

const log = createLogger('demo-catalog');

try {
  const mongoUri = envRequired('MONGODB_URI', 'point it at the MongoDB the catalog uses');
  const seeded = await seedDemoCatalog(mongoUri, catalogDatabase(process.env));
  log.info(seeded > 0 ? `seeded ${seeded} demo products` : 'the catalog already has products; nothing seeded');
} catch (error) {
  log.error((error as Error).message);
  process.exitCode = 1;
}
