import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { seedDemoCatalog } from '../../demo/catalog/seedDemoCatalog.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { prefixedDatabaseName } from '../../lib/mongo/connectMongo.ts';
import { spawnService, type ServiceProcess, type ServiceSpec } from '../../system/spawnService.ts';
import { planMallFleets } from './planMallFleets.ts';
import { writeBenchSupergraph } from './writeBenchSupergraph.ts';

export interface BenchSystem {
  /** The gateway's GraphQL endpoint; empty when started with `gateway: false`. */
  graphqlUrl: string;
  /** The supergraph.yaml over catalog and the malls, for gateways started elsewhere. */
  supergraphConfig: string;
  /** Process ids of the subgraphs: catalog and the mall fleets. */
  subgraphPids: number[];
  /** Base URL of each mall subgraph (`/graphql`, `/metrics`), in order m1, m2, …. */
  mallUrls: string[];
  close(): Promise<void>;
}

export interface BenchSystemOptions {
  mongoUri: string;
  mallCount: number;
  siteDelayMs: number;
  /** Each mall's own site delay (mall i crawls a site server answering after the i-th), instead of `siteDelayMs`. */
  siteDelaysMs?: number[];
  /** Extra environment for every service (a longer mall deadline, say). */
  serviceEnv?: Record<string, string>;
  workDir: string;
  dbPrefix: string;
  /** Processes the malls are spread over. */
  fleetProcesses: number;
  /** Start a gateway too (default); without, the caller starts its own over `supergraphConfig`. */
  gateway?: boolean;
  /** Source tree to run every service from (a baseline checkout, say); default this one. */
  root?: string;
}

/**
 * Demo sites, catalog, a fleet of `mallCount` malls and a gateway composed
 * over them, as separate processes sharing one database server.
 */
export async function startBenchSystem(options: BenchSystemOptions): Promise<BenchSystem> {
  const { workDir } = options;
  mkdirSync(workDir, { recursive: true });
  const env = { ...options.serviceEnv, MONGODB_URI: options.mongoUri, MONGODB_DB_PREFIX: options.dbPrefix };
  const services: ServiceProcess[] = [];
  const start = async (spec: ServiceSpec, readyTimeoutMs?: number) => {
    const entry = options.root ? resolve(options.root, spec.entry) : spec.entry;
    const service = await spawnService({ ...spec, entry, env: { ...env, ...spec.env } }, { logs: { logDir: workDir }, readyTimeoutMs });
    services.push(service);
    return service;
  };
  const close = async () => {
    for (const service of services.reverse()) await service.stop();
  };
  try {
    const demoPort = await freePort();
    const catalogPort = await freePort();
    const gatewayPort = await freePort();
    const mallBase = 20_000 + Math.floor(Math.random() * 20_000);
    const demoSitesUrl = `http://127.0.0.1:${demoPort}`;
    await start({
      name: 'demo-sites',
      entry: 'demo/sites/main.ts',
      env: { PORT: `${demoPort}`, DEMO_SITE_DELAY_MS: `${options.siteDelayMs}` },
      readyUrl: `${demoSitesUrl}/__stats`,
    });
    const siteUrls = await startDelayedSites(options.siteDelaysMs, start);
    // The catalog service seeds nothing itself (a baseline checkout's may; seeding an already filled one is a no-op).
    await seedDemoCatalog(options.mongoUri, prefixedDatabaseName(options.dbPrefix, 'catalog'));
    const catalog = await start({
      name: 'catalog',
      entry: 'subgraphs/catalog/main.ts',
      env: { PORT: `${catalogPort}` },
      readyUrl: `http://127.0.0.1:${catalogPort}/healthz`,
    });
    const fleets = await Promise.all(
      planMallFleets(options.mallCount, options.fleetProcesses).map(({ offset, count }, f) =>
        start(
          {
            name: `mall-fleet-${f}`,
            entry: 'bench/support/mallFleet.ts',
            env: {
              MALL_OFFSET: `${offset}`,
              MALL_COUNT: `${count}`,
              MALL_BASE_PORT: `${mallBase}`,
              DEMO_SITES_URL: demoSitesUrl,
              MALL_SITE_URLS: siteUrls.join(','),
            },
            readyUrl: `http://127.0.0.1:${mallBase + offset + count - 1}/healthz`,
          },
          120_000,
        ),
      ),
    );
    const system = {
      supergraphConfig: writeBenchSupergraph({ workDir, root: options.root, catalogPort, mallCount: options.mallCount, mallBase, demoSitesUrl }),
      subgraphPids: [catalog, ...fleets].flatMap((service) => (service.pid === undefined ? [] : [service.pid])),
      mallUrls: Array.from({ length: options.mallCount }, (_, i) => `http://127.0.0.1:${mallBase + i}`),
      close,
    };
    if (options.gateway === false) return { ...system, graphqlUrl: '' };
    await start({
      name: 'gateway',
      entry: 'gateway/main.ts',
      env: { PORT: `${gatewayPort}`, SUPERGRAPH_CONFIG: system.supergraphConfig },
      readyUrl: `http://127.0.0.1:${gatewayPort}/readyz`,
    });
    return { ...system, graphqlUrl: `http://127.0.0.1:${gatewayPort}/graphql` };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Per-mall delays: one more process holding a site server per mall (bench/support/delayedSites.ts); the sites' URLs, none without delays. */
async function startDelayedSites(delaysMs: number[] | undefined, start: (spec: ServiceSpec) => Promise<ServiceProcess>): Promise<string[]> {
  if (!delaysMs) return [];
  const ports = await Promise.all(delaysMs.map(() => freePort()));
  await start({
    name: 'delayed-sites',
    entry: 'bench/support/delayedSites.ts',
    env: { SITE_PORTS: ports.join(','), SITE_DELAYS_MS: delaysMs.join(',') },
    readyUrl: `http://127.0.0.1:${ports.at(-1)}/__stats`,
  });
  return ports.map((port) => `http://127.0.0.1:${port}`);
}
