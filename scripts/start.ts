import { resolve } from 'node:path';
import { createLogger } from '../lib/log.ts';
import { runMain } from '../lib/runUntilSignal.ts';
import { DEMO_SITES_PUBLIC_URL } from '../subgraphs/malls/demoMalls.ts';
import { startSystem } from '../system/startSystem.ts';

/** `npm start`: the whole system on fixed local ports, data under .data/. */
const log = createLogger('start');

runMain(log, async () => {
  const system = await startSystem({
    mongoUri: process.env.MONGODB_URI || undefined,
    dataDir: resolve(process.env.GATEHOUSE_DATA_DIR ?? '.data'),
    ports: { gateway: 4000, registry: 4080, catalog: 4001, approval: 4002, mallBase: 4011, demoSites: 4100, database: 4027 },
    logs: 'inherit',
    publicDemoSitesUrl: DEMO_SITES_PUBLIC_URL,
    demoEvents: true,
  });
  log.info(
    `Gatehouse is up: GraphQL at ${system.gatewayUrl}/graphql, demo mall sites at ${system.demoSitesUrl}/hanbit/, registry at ${system.registryUrl}, MongoDB at ${system.mongoUri}`,
  );
  log.info(
    `try: curl -s ${system.gatewayUrl}/graphql -H 'content-type: application/json' -d '{"query":"{ malls { id name search(keyword: \\"airpods\\", first: 3) { offers { title price product { id name } } } } }"}'`,
  );
  return system.close;
});
