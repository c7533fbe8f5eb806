import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seedDemoCatalog } from '../../demo/catalog/seedDemoCatalog.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { prefixedDatabaseName } from '../../lib/mongo/connectMongo.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';

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

/**
 * Demo sites, catalog, a fleet of `mallCount` malls and a gateway composed
 * over them, as separate processes sharing one database server.
 */
export async function startBenchSystem(options: {
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
}): Promise<BenchSystem> {
  const { workDir } = options;
  const entry = (path: string) => (options.root ? resolve(options.root, path) : path);
  mkdirSync(join(workDir, 'schemas'), { recursive: true });
  const logs = { logDir: workDir };
  const env = { ...options.serviceEnv, MONGODB_URI: options.mongoUri, MONGODB_DB_PREFIX: options.dbPrefix };
  const services: ServiceProcess[] = [];
  const subgraphPids: number[] = [];
  const start = async (...args: Parameters<typeof spawnService>) => services.push(await spawnService(...args));
  const close = async () => {
    for (const service of services.reverse()) await service.stop();
  };
  try {
    const demoPort = await freePort();
    const catalogPort = await freePort();
    const gatewayPort = await freePort();
    const mallBase = 20_000 + Math.floor(Math.random() * 20_000);
    await start(
      {
        name: 'demo-sites',
        entry: entry('demo/sites/main.ts'),
        env: { ...env, PORT: `${demoPort}`, DEMO_SITE_DELAY_MS: `${options.siteDelayMs}` },
        readyUrl: `http://127.0.0.1:${demoPort}/__stats`,
      },
      { logs },
    );
    // Per-mall delays: one more process holding a site server per mall (bench/support/delayedSites.ts).
    const sitePorts = options.siteDelaysMs ? await Promise.all(options.siteDelaysMs.map(() => freePort())) : [];
    if (options.siteDelaysMs) {
      await start(
        {
          name: 'delayed-sites',
          entry: entry('bench/support/delayedSites.ts'),
          env: { ...env, SITE_PORTS: sitePorts.join(','), SITE_DELAYS_MS: options.siteDelaysMs.join(',') },
          readyUrl: `http://127.0.0.1:${sitePorts.at(-1)}/__stats`,
        },
        { logs },
      );
    }
    // The catalog service seeds nothing itself (a baseline checkout's may; seeding an already filled one is a no-op).
    await seedDemoCatalog(options.mongoUri, prefixedDatabaseName(options.dbPrefix, 'catalog'));
    await start(
      {
        name: 'catalog',
        entry: entry('subgraphs/catalog/main.ts'),
        env: { ...env, PORT: `${catalogPort}` },
        readyUrl: `http://127.0.0.1:${catalogPort}/healthz`,
      },
      { logs },
    );
    const catalogPid = services.at(-1)?.pid;
    if (catalogPid !== undefined) subgraphPids.push(catalogPid);
    // Malls are spread over a few processes, as separate mall services would
    // be, so one process does not serialise every mall's parsing.
    const fleets = Math.min(options.fleetProcesses, options.mallCount);
    const perFleet = Math.ceil(options.mallCount / fleets);
    await Promise.all(
      Array.from({ length: fleets }, (_, f) => {
        const offset = f * perFleet;
        const count = Math.min(perFleet, options.mallCount - offset);
        return spawnService(
          {
            name: `mall-fleet-${f}`,
            entry: entry('bench/support/mallFleet.ts'),
            env: {
              ...env,
              MALL_OFFSET: `${offset}`,
              MALL_COUNT: `${count}`,
              MALL_BASE_PORT: `${mallBase}`,
              DEMO_SITES_URL: `http://127.0.0.1:${demoPort}`,
              MALL_SITE_URLS: sitePorts.map((p) => `http://127.0.0.1:${p}`).join(','),
            },
            readyUrl: `http://127.0.0.1:${mallBase + offset + count - 1}/healthz`,
          },
          { logs, readyTimeoutMs: 120_000 },
        ).then((fleet) => {
          services.push(fleet);
          if (fleet.pid !== undefined) subgraphPids.push(fleet.pid);
        });
      }),
    );
    const subgraphs = [
      `  catalog:\n    routing_url: http://127.0.0.1:${catalogPort}/graphql\n    schema:\n      file: ${resolve(options.root ?? '', 'subgraphs/catalog/schema.graphql')}`,
    ];
    for (let i = 0; i < options.mallCount; i++) {
      const id = `m${i + 1}`;
      const file = join(workDir, 'schemas', `${id}.graphql`);
      writeFileSync(file, mallSdl({ id, name: `Mall ${i + 1}`, homepage: `http://127.0.0.1:${demoPort}/` }));
      subgraphs.push(`  ${id}:\n    routing_url: http://127.0.0.1:${mallBase + i}/graphql\n    schema:\n      file: ${file}`);
    }
    const config = join(workDir, 'supergraph.yaml');
    writeFileSync(config, `subgraphs:\n${subgraphs.join('\n')}\n`);
    const mallUrls = Array.from({ length: options.mallCount }, (_, i) => `http://127.0.0.1:${mallBase + i}`);
    if (options.gateway === false) return { graphqlUrl: '', supergraphConfig: config, subgraphPids, mallUrls, close };
    await start(
      {
        name: 'gateway',
        entry: entry('gateway/main.ts'),
        env: { ...env, PORT: `${gatewayPort}`, SUPERGRAPH_CONFIG: config },
        readyUrl: `http://127.0.0.1:${gatewayPort}/readyz`,
      },
      { logs },
    );
    return { graphqlUrl: `http://127.0.0.1:${gatewayPort}/graphql`, supergraphConfig: config, subgraphPids, mallUrls, close };
  } catch (error) {
    await close();
    throw error;
  }
}
