import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoCatalog } from '../demo/catalog/seedDemoCatalog.ts';
import { generateAssertionKeys } from '../lib/auth/gatewayAssertions.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { databaseName } from '../lib/mongo/connectMongo.ts';
import { startFerretDb } from '../lib/mongo/startFerretDb.ts';
import { DEMO_MALLS } from '../subgraphs/malls/demoMalls.ts';
import { createServiceSupervisor } from './createServiceSupervisor.ts';
import { planSystemServices } from './planSystemServices.ts';
import { spawnService, type SpawnOptions } from './spawnService.ts';
import { allocateSystemPorts, type FixedPorts } from './systemPorts.ts';

export interface SystemOptions {
  /** A MongoDB to use; without it FerretDB is started on `dataDir`. */
  mongoUri?: string;
  dataDir: string;
  /** Fixed ports (`npm start`); free ports otherwise. */
  ports?: FixedPorts;
  host?: string;
  logs: SpawnOptions['logs'];
  /** Extra environment for every service (deadlines, delays, log level). */
  env?: Record<string, string>;
  /** Where shoppers open the demo sites, when that differs from where malls crawl them. */
  publicDemoSitesUrl?: string;
  /** Also run the demo business systems sending approval events (`npm start`). */
  demoEvents?: boolean;
}

export interface RunningSystem {
  gatewayUrl: string;
  /** The schema registry's admin API (not the public gateway port). */
  registryUrl: string;
  demoSitesUrl: string;
  mongoUri: string;
  /** Subgraph name → its GraphQL URL. */
  subgraphUrls: Record<string, string>;
  /** Stops one service (a crash with `kill: true`). */
  stopService(name: string, options?: { kill?: boolean }): Promise<void>;
  /** The process id of a running service (to pause it with SIGSTOP in tests). */
  pidOf(name: string): number;
  close(): Promise<void>;
}

/** The whole system as separate processes: demo sites, catalog, approval, malls, registry, gateway. */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const log = createLogger('system');
  const host = options.host ?? '127.0.0.1';
  const database = await openDatabase(options, log);
  const plan = planSystemServices({
    host,
    ports: await allocateSystemPorts(host, DEMO_MALLS.length, options.ports),
    malls: DEMO_MALLS,
    common: { MONGODB_URI: database.uri, HOST: host, ...options.env },
    identityKeys: await generateAssertionKeys(),
    publicDemoSitesUrl: options.publicDemoSitesUrl,
    demoEvents: options.demoEvents,
  });
  const services = createServiceSupervisor({ ...plan, spawn: (spec) => spawnService(spec, { logs: options.logs }) });
  const close = async () => {
    await services.stopAll();
    await database.close();
  };
  try {
    // The demo's products: the catalog service seeds nothing itself (in production they come from `gatehouse catalog import`).
    const seeded = await seedDemoCatalog(database.uri, databaseName('catalog', { ...process.env, ...options.env }));
    if (seeded > 0) log.info(`seeded ${seeded} demo products`);
    await services.start();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    gatewayUrl: plan.gatewayUrl,
    registryUrl: plan.registryUrl,
    demoSitesUrl: plan.demoSitesUrl,
    mongoUri: database.uri,
    subgraphUrls: plan.subgraphUrls,
    stopService: (name, stopOptions) => services.stop(name, stopOptions),
    pidOf: (name) => services.pidOf(name),
    close,
  };
}

/** The MongoDB the caller gave, or FerretDB started on the data directory (closed with the system). */
async function openDatabase(options: SystemOptions, log: Logger): Promise<{ uri: string; close(): Promise<void> }> {
  mkdirSync(options.dataDir, { recursive: true });
  if (options.mongoUri) return { uri: options.mongoUri, close: async () => {} };
  const ferret = await startFerretDb({
    dataDir: join(options.dataDir, 'ferretdb'),
    log,
    port: options.ports?.database,
    postgresqlUrl: process.env.FERRETDB_POSTGRESQL_URL || undefined,
  });
  return { uri: ferret.uri, close: () => ferret.close() };
}
