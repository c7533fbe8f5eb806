import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/http/freePort.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';

export interface BenchSystem {
  graphqlUrl: string;
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
  workDir: string;
  dbPrefix: string;
  /** Processes the malls are spread over. */
  fleetProcesses: number;
}): Promise<BenchSystem> {
  const { workDir } = options;
  mkdirSync(join(workDir, 'schemas'), { recursive: true });
  const logs = { logDir: workDir };
  const env = { MONGODB_URI: options.mongoUri, MONGODB_DB_PREFIX: options.dbPrefix };
  const services: ServiceProcess[] = [];
  const start = async (...args: Parameters<typeof spawnService>) => services.push(await spawnService(...args));
  const close = async () => {
    for (const service of services.reverse()) await service.stop();
  };
  try {
    const demoPort = await freePort();
    const catalogPort = await freePort();
    const gatewayPort = await freePort();
    const mallBase = 20_000 + Math.floor(Math.random() * 20_000);
    await start({ name: 'demo-sites', entry: 'demo/sites/main.ts', env: { ...env, PORT: `${demoPort}`, DEMO_SITE_DELAY_MS: `${options.siteDelayMs}` }, readyUrl: `http://127.0.0.1:${demoPort}/__stats` }, { logs });
    await start({ name: 'catalog', entry: 'subgraphs/catalog/main.ts', env: { ...env, PORT: `${catalogPort}` }, readyUrl: `http://127.0.0.1:${catalogPort}/healthz` }, { logs });
    // Malls are spread over a few processes, as separate mall services would
    // be, so one process does not serialise every mall's parsing.
    const fleets = Math.min(options.fleetProcesses, options.mallCount);
    const perFleet = Math.ceil(options.mallCount / fleets);
    await Promise.all(
      Array.from({ length: fleets }, (_, f) => {
        const offset = f * perFleet;
        const count = Math.min(perFleet, options.mallCount - offset);
        return start(
          {
            name: `mall-fleet-${f}`,
            entry: 'bench/support/mallFleet.ts',
            env: { ...env, MALL_OFFSET: `${offset}`, MALL_COUNT: `${count}`, MALL_BASE_PORT: `${mallBase}`, DEMO_SITES_URL: `http://127.0.0.1:${demoPort}` },
            readyUrl: `http://127.0.0.1:${mallBase + offset + count - 1}/healthz`,
          },
          { logs, readyTimeoutMs: 120_000 },
        );
      }),
    );
    const subgraphs = [`  catalog:\n    routing_url: http://127.0.0.1:${catalogPort}/graphql\n    schema:\n      file: ${resolve('subgraphs/catalog/schema.graphql')}`];
    for (let i = 0; i < options.mallCount; i++) {
      const id = `m${i + 1}`;
      const file = join(workDir, 'schemas', `${id}.graphql`);
      writeFileSync(file, mallSdl({ id, name: `Mall ${i + 1}`, homepage: `http://127.0.0.1:${demoPort}/` }));
      subgraphs.push(`  ${id}:\n    routing_url: http://127.0.0.1:${mallBase + i}/graphql\n    schema:\n      file: ${file}`);
    }
    const config = join(workDir, 'supergraph.yaml');
    writeFileSync(config, `subgraphs:\n${subgraphs.join('\n')}\n`);
    await start(
      {
        name: 'gateway',
        entry: 'gateway/main.ts',
        env: { ...env, PORT: `${gatewayPort}`, SUPERGRAPH_CONFIG: config },
        readyUrl: `http://127.0.0.1:${gatewayPort}/readyz`,
      },
      { logs },
    );
    return { graphqlUrl: `http://127.0.0.1:${gatewayPort}/graphql`, close };
  } catch (error) {
    await close();
    throw error;
  }
}
