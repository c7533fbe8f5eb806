import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { subgraphUrlVariable } from '../composition/readSupergraphConfig.ts';
import { generateAssertionKeys } from '../lib/auth/gatewayAssertions.ts';
import { freePort } from '../lib/http/freePort.ts';
import { seedDemoCatalog } from '../demo/catalog/seedDemoCatalog.ts';
import { createLogger } from '../lib/log.ts';
import { databaseName } from '../lib/mongo/connectMongo.ts';
import { startFerretDb, type FerretDb } from '../lib/mongo/startFerretDb.ts';
import { DEMO_MALLS, demoSiteUrl } from '../subgraphs/malls/demoMalls.ts';
import { spawnService, type ServiceProcess, type ServiceSpec, type SpawnOptions } from './spawnService.ts';

export interface SystemOptions {
  /** A MongoDB to use; without it FerretDB is started on `dataDir`. */
  mongoUri?: string;
  dataDir: string;
  /** Fixed ports (`npm start`); free ports otherwise. */
  ports?: { gateway: number; registry: number; catalog: number; approval: number; demoSites: number; mallBase: number; database: number };
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
  mkdirSync(options.dataDir, { recursive: true });
  let ferret: FerretDb | undefined;
  const mongoUri =
    options.mongoUri ??
    (ferret = await startFerretDb({
      dataDir: join(options.dataDir, 'ferretdb'),
      log,
      port: options.ports?.database,
      postgresqlUrl: process.env.FERRETDB_POSTGRESQL_URL || undefined,
    })).uri;
  const port = async (fixed: number | undefined) => fixed ?? (await freePort(host));
  const common = { MONGODB_URI: mongoUri, HOST: host, ...options.env };
  // The gateway signs identity assertions; the approval subgraph trusts only its key.
  const identityKeys = await generateAssertionKeys();

  const demoPort = await port(options.ports?.demoSites);
  const demoSitesUrl = `http://${host}:${demoPort}`;
  const specs: ServiceSpec[] = [
    { name: 'demo-sites', entry: 'demo/sites/main.ts', env: { ...common, PORT: String(demoPort) }, readyUrl: `${demoSitesUrl}/__stats` },
  ];
  const subgraphUrls: Record<string, string> = {};
  const catalogPort = await port(options.ports?.catalog);
  subgraphUrls.catalog = `http://${host}:${catalogPort}/graphql`;
  specs.push({
    name: 'catalog',
    entry: 'subgraphs/catalog/main.ts',
    env: { ...common, PORT: String(catalogPort) },
    readyUrl: `http://${host}:${catalogPort}/healthz`,
  });
  const approvalPort = await port(options.ports?.approval);
  subgraphUrls.approval = `http://${host}:${approvalPort}/graphql`;
  specs.push({
    name: 'approval',
    entry: 'subgraphs/approval/main.ts',
    env: { GATEWAY_PUBLIC_KEYS: JSON.stringify(identityKeys.jwks), ...common, PORT: String(approvalPort) },
    readyUrl: `http://${host}:${approvalPort}/healthz`,
  });
  for (const [index, mall] of DEMO_MALLS.entries()) {
    const mallPort = await port(options.ports ? options.ports.mallBase + index : undefined);
    subgraphUrls[mall.id] = `http://${host}:${mallPort}/graphql`;
    specs.push({
      name: mall.id,
      entry: mall.entry,
      env: {
        ...common,
        PORT: String(mallPort),
        MALL_SITE_URL: demoSiteUrl(demoSitesUrl, mall.id),
        MALL_HOMEPAGE: demoSiteUrl(options.publicDemoSitesUrl ?? demoSitesUrl, mall.id),
      },
      readyUrl: `http://${host}:${mallPort}/healthz`,
    });
  }
  // The registry seeds itself from supergraph.yaml, with the routing URLs of this run.
  const registryPort = await port(options.ports?.registry);
  const registryUrl = `http://${host}:${registryPort}`;
  const routing = Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [subgraphUrlVariable(name), url]));
  specs.push({
    name: 'registry',
    entry: 'registry/main.ts',
    env: { ...common, ...routing, PORT: String(registryPort), SUPERGRAPH_CONFIG: resolve('supergraph.yaml') },
    readyUrl: `${registryUrl}/healthz`,
  });
  const gatewayPort = await port(options.ports?.gateway);
  const gatewayUrl = `http://${host}:${gatewayPort}`;
  specs.push({
    name: 'gateway',
    entry: 'gateway/main.ts',
    env: { GATEWAY_SIGNING_KEY: identityKeys.privateKeyPem, ...common, PORT: String(gatewayPort), GATEHOUSE_REGISTRY_URL: registryUrl },
    readyUrl: `${gatewayUrl}/readyz`,
  });

  if (options.demoEvents) {
    specs.push({
      name: 'demo-events',
      entry: 'demo/events/main.ts',
      env: { ...common, APPROVAL_EVENTS_URL: subgraphUrls.approval.replace(/\/graphql$/, '/events'), PORTAL_URL: `${gatewayUrl}/portal/` },
    });
  }
  const running = new Map<string, ServiceProcess>();
  const start = async (spec: ServiceSpec) => running.set(spec.name, await spawnService(spec, { logs: options.logs }));
  // The entry points (gateway, event source) go first so nothing new arrives;
  // the rest stop side by side; the database last.
  const close = async () => {
    const edge = new Set(['gateway', 'demo-events']);
    const services = [...running.values()];
    await Promise.all(services.filter((s) => edge.has(s.name)).map((s) => s.stop()));
    await Promise.all(services.filter((s) => !edge.has(s.name)).map((s) => s.stop()));
    running.clear();
    await ferret?.close();
  };
  try {
    // The demo's products: the catalog service seeds nothing itself (in production they come from `gatehouse catalog import`).
    const seeded = await seedDemoCatalog(mongoUri, databaseName('catalog', { ...process.env, ...options.env }));
    if (seeded > 0) log.info(`seeded ${seeded} demo products`);
    await start(specs[0]!);
    // Subgraphs start side by side; the registry and gateway need none of them up to compose.
    const registryIndex = specs.findIndex((spec) => spec.name === 'registry');
    await Promise.all(specs.slice(1, registryIndex).map(start));
    for (const spec of specs.slice(registryIndex)) await start(spec);
  } catch (error) {
    await close();
    throw error;
  }
  const specOf = (name: string) => {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new Error(`no service named ${name}; known: ${specs.map((s) => s.name).join(', ')}`);
    return spec;
  };
  return {
    gatewayUrl,
    registryUrl,
    demoSitesUrl,
    mongoUri,
    subgraphUrls,
    async stopService(name, stopOptions) {
      specOf(name);
      const service = running.get(name);
      running.delete(name);
      await (stopOptions?.kill ? service?.kill() : service?.stop());
    },
    pidOf(name) {
      const pid = running.get(name)?.pid;
      if (pid === undefined) throw new Error(`service ${name} is not running`);
      return pid;
    },
    close,
  };
}
