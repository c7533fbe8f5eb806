/**
 * How fast a publish reaches searches across two gateway replicas, and
 * whether gateway memory stays flat over 100 publish/delete cycles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RELEASE_GRACE_MS } from '../gateway/supergraph/createVersionedGateway.ts';
import { freePort } from '../lib/http/freePort.ts';
import { DEV_ADMIN_TOKEN } from '../registry/http/changeRights.ts';
import { demoSiteUrl } from '../subgraphs/malls/demoMalls.ts';
import { spawnService, type ServiceProcess } from '../system/spawnService.ts';
import { startSystem, type RunningSystem } from '../system/startSystem.ts';
import { median, percentile, table } from './support/measure.ts';
import { residentMiB } from './support/processMemory.ts';
import { reloadHeapMiB } from './support/reloadHeap.ts';

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const SAMPLES = 10;
const CYCLES = 100;

interface Replicas {
  system: RunningSystem;
  gateways: Array<{ url: string; pid: number }>;
  outletUrl: string;
  close(): Promise<void>;
}

async function startReplicas(mongoUri: string, broker: boolean): Promise<Replicas> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-reload-'));
  const prefix = `bench${Date.now().toString(36)}`;
  const env: Record<string, string> = {
    MONGODB_DB_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    ...(broker ? { AMQP_URL, APPROVAL_BROKER_PREFIX: prefix, REGISTRY_EXCHANGE: `${prefix}.supergraph` } : {}),
  };
  const system = await startSystem({ mongoUri, dataDir: dir, logs: { logDir: dir }, env });
  const extra: ServiceProcess[] = [];
  const port = await freePort();
  extra.push(
    await spawnService(
      {
        name: 'gateway-2',
        entry: 'gateway/main.ts',
        env: { ...env, MONGODB_URI: mongoUri, PORT: String(port), GATEHOUSE_REGISTRY_URL: system.registryUrl },
        readyUrl: `http://127.0.0.1:${port}/readyz`,
      },
      { logs: { logDir: dir } },
    ),
  );
  const outletPort = await freePort();
  extra.push(
    await spawnService(
      {
        name: 'outlet',
        entry: 'tests/support/outletMall.ts',
        env: { ...env, MONGODB_URI: mongoUri, PORT: String(outletPort), MALL_SITE_URL: demoSiteUrl(system.demoSitesUrl, 'hanbit') },
        readyUrl: `http://127.0.0.1:${outletPort}/healthz`,
      },
      { logs: { logDir: dir } },
    ),
  );
  return {
    system,
    gateways: [
      { url: system.gatewayUrl, pid: system.pidOf('gateway') },
      { url: `http://127.0.0.1:${port}`, pid: extra[0]!.pid! },
    ],
    outletUrl: `http://127.0.0.1:${outletPort}/graphql`,
    close: async () => {
      for (const service of extra) await service.stop();
      await system.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function registryCall(replicas: Replicas, method: 'PUT' | 'DELETE', body?: unknown): Promise<void> {
  const response = await fetch(`${replicas.system.registryUrl}/v1/subgraphs/outlet`, {
    method,
    headers: { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`registry ${method} answered ${response.status}: ${await response.text()}`);
}

async function outletSdl(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  return ((await response.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
}

/** Searches one gateway until its answer does (or does not) include the outlet mall. */
async function untilSearch(gatewayUrl: string, present: boolean): Promise<void> {
  for (;;) {
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ malls { id search(keyword: "airpods", first: 1) { cached } } }' }),
    });
    const ids = ((await response.json()) as { data?: { malls: Array<{ id: string }> } }).data?.malls.map((m) => m.id) ?? [];
    if (ids.includes('outlet') === present) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function publishToSearch(replicas: Replicas, sdl: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const started = performance.now();
    await registryCall(replicas, 'PUT', { routingUrl: replicas.outletUrl, sdl });
    await Promise.all(replicas.gateways.map((g) => untilSearch(g.url, true)));
    samples.push(performance.now() - started);
    await registryCall(replicas, 'DELETE');
    await Promise.all(replicas.gateways.map((g) => untilSearch(g.url, false)));
  }
  return samples;
}

export async function benchRegistryReload(mongoUri: string): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (const broker of [false, true]) {
    const replicas = await startReplicas(mongoUri, broker);
    try {
      const sdl = await outletSdl(replicas.outletUrl);
      const samples = await publishToSearch(replicas, sdl);
      rows.push({
        'gateways learn by': broker ? 'RabbitMQ notice' : 'polling every 1 s',
        'publish → search on both, p50 (ms)': Math.round(median(samples)),
        'max (ms)': Math.round(percentile(samples, 100)),
      });
      if (broker) {
        // Memory over many reloads: after the first cycle versus after the last.
        const cycle = async () => {
          await registryCall(replicas, 'PUT', { routingUrl: replicas.outletUrl, sdl });
          await Promise.all(replicas.gateways.map((g) => untilSearch(g.url, true)));
          await registryCall(replicas, 'DELETE');
          await Promise.all(replicas.gateways.map((g) => untilSearch(g.url, false)));
        };
        await cycle();
        const first = replicas.gateways.map((g) => residentMiB(g.pid));
        for (let i = 1; i < CYCLES; i += 1) await cycle();
        // Past the release grace, so versions replaced last are closed too.
        await new Promise((resolve) => setTimeout(resolve, DEFAULT_RELEASE_GRACE_MS + 1000));
        const last = replicas.gateways.map((g) => residentMiB(g.pid));
        const sources = await Promise.all(
          replicas.gateways.map(async (g) => ((await (await fetch(`${g.url}/readyz`)).json()) as { openDataSources: number }).openDataSources),
        );
        console.log(
          `gateway process RSS after 1 publish/delete cycle: ${first.map((m) => `${m.toFixed(0)} MiB`).join(', ')}; after ${CYCLES}: ${last.map((m) => `${m.toFixed(0)} MiB`).join(', ')}; open data sources ${sources.join(', ')}`,
        );
      }
    } finally {
      await replicas.close();
    }
  }
  console.log(table(rows));
  const heap = await reloadHeapMiB(CYCLES * 3, [1, CYCLES, CYCLES * 2, CYCLES * 3]);
  console.log(`in-process gateway heap after full GC: ${heap.map((h) => `cycle ${h.cycle}: ${h.heapMiB.toFixed(1)} MiB`).join(', ')}`);
}
