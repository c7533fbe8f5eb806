import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readSupergraphConfig, subgraphUrlVariable } from '../../composition/readSupergraphConfig.ts';
import { DEMO_MALLS } from '../../subgraphs/malls/demoMalls.ts';

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string> | string[];
  ports?: string[];
  healthcheck?: { test?: string[] };
}

// `merge: true` resolves the `<<: *anchor` keys the file shares settings with.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

function env(name: string): Record<string, string> {
  const environment = services[name]?.environment ?? {};
  if (!Array.isArray(environment)) return environment;
  return Object.fromEntries(environment.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** The services that run our image, with the TypeScript entry their command names. */
const nodeServices = Object.entries(services)
  .filter(([, service]) => service.command?.[0] === 'node')
  .map(([name, service]) => ({ name, entry: service.command!.find((arg) => arg.endsWith('.ts'))! }));

describe('docker-compose.yml', () => {
  it('runs every service of the system', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['mongodb', 'rabbitmq', 'demo-sites', 'catalog', 'registry', 'gateway']));
    expect(services.mongodb?.image).toMatch(/^mongo:/);
    expect(nodeServices.map((s) => s.entry)).toEqual(expect.arrayContaining(['gateway/main.ts', 'registry/main.ts', ...DEMO_MALLS.map((m) => m.entry)]));
  });

  it('starts every service from an entry file that exists', () => {
    expect(nodeServices.length).toBeGreaterThan(0);
    for (const { name, entry } of nodeServices) expect(existsSync(entry), `${name}: ${entry}`).toBe(true);
  });

  it('points the gateway at the registry, and the registry at a container serving each subgraph of supergraph.yaml', () => {
    expect(env('gateway').GATEHOUSE_REGISTRY_URL).toBe(`http://registry:${env('registry').PORT}`);
    expect(nodeServices.find((s) => s.name === 'registry')?.entry).toBe('registry/main.ts');
    const gateway = env('registry');
    for (const { name } of readSupergraphConfig('supergraph.yaml', {})) {
      const variable = subgraphUrlVariable(name);
      expect(gateway[variable], variable).toBeDefined();
      const url = new URL(gateway[variable]!);
      const target = nodeServices.find((s) => s.name === url.hostname);
      expect(target, `${variable} names no container: ${url.hostname}`).toBeDefined();
      // The container must run that subgraph and listen where the gateway calls it.
      expect(target!.entry).toContain(`/${name}/`);
      expect(env(url.hostname).PORT, variable).toBe(url.port);
      expect(url.pathname).toBe('/graphql');
    }
  });

  it('points every service at the mongodb container and makes it listen on all interfaces', () => {
    for (const { name } of nodeServices) {
      const { MONGODB_URI, HOST } = env(name);
      expect(MONGODB_URI && new URL(MONGODB_URI).hostname, name).toBe('mongodb');
      // 127.0.0.1, the services' default, is unreachable from other containers.
      expect(HOST, name).toBe('0.0.0.0');
    }
  });

  it('lets each mall crawl the demo sites inside the network and show shoppers the published address', () => {
    for (const mall of DEMO_MALLS) {
      const service = nodeServices.find((s) => s.entry === mall.entry);
      expect(service, `no container runs ${mall.entry}`).toBeDefined();
      const { MALL_SITE_URL, MALL_HOMEPAGE } = env(service!.name);
      expect(MALL_SITE_URL).toBe(`http://demo-sites:${env('demo-sites').PORT}/${mall.id}/`);
      expect(MALL_HOMEPAGE).toBe(`http://localhost:4100/${mall.id}/`);
    }
  });

  it("lets a mall's replicas share its site limits through the redis container", () => {
    expect(services.redis?.image).toMatch(/^redis:/);
    for (const mall of DEMO_MALLS) {
      const service = nodeServices.find((s) => s.entry === mall.entry)!;
      expect(env(service.name).MALL_RATE_LIMIT_REDIS_URL, service.name).toBe('redis://redis:6379');
    }
  });

  it('publishes the gateway on 4000 and the demo sites on 4100', () => {
    expect(services.gateway?.ports).toContain(`4000:${env('gateway').PORT}`);
    expect(services['demo-sites']?.ports).toContain(`4100:${env('demo-sites').PORT}`);
  });

  it('health-checks each service on the port it listens on', () => {
    // A wrong port leaves a container unhealthy and everything depending on it never starts.
    // The demo event source listens on nothing, so it has nothing to check.
    for (const { name } of nodeServices.filter((service) => env(service.name).PORT)) {
      expect(services[name]?.healthcheck?.test?.join(' '), name).toContain(`http://127.0.0.1:${env(name).PORT}/`);
    }
    expect(services.gateway?.healthcheck?.test?.join(' ')).toContain('/readyz');
  });
});
