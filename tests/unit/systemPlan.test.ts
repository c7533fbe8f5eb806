import { describe, expect, it } from 'vitest';
import { subgraphUrlVariable } from '../../composition/readSupergraphConfig.ts';
import { planSystemServices, type SystemPlanInput } from '../../system/planSystemServices.ts';

const input: SystemPlanInput = {
  host: '127.0.0.1',
  ports: { demoSites: 4100, catalog: 4001, approval: 4002, malls: [4011, 4012], registry: 4000, gateway: 8080 },
  malls: [
    { id: 'hanbit', entry: 'subgraphs/malls/hanbit/main.ts' },
    { id: 'daehan', entry: 'subgraphs/malls/daehan/main.ts' },
  ],
  common: { MONGODB_URI: 'mongodb://127.0.0.1:27017', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
  identityKeys: { privateKeyPem: 'PRIVATE', jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'public' }] } },
};
const specOf = (plan: ReturnType<typeof planSystemServices>, name: string) => plan.stages.flat().find((spec) => spec.name === name)!;

describe('system service plan', () => {
  it('starts the demo sites, then every subgraph together, then the registry, then the gateway', () => {
    const plan = planSystemServices(input);
    expect(plan.stages.map((stage) => stage.map((spec) => spec.name))).toEqual([
      ['demo-sites'],
      ['catalog', 'approval', 'hanbit', 'daehan'],
      ['registry'],
      ['gateway'],
    ]);
    expect(plan.entryPoints).toContain('gateway');
  });

  it('gives the registry every subgraph routing URL of this run, and the gateway the registry', () => {
    const plan = planSystemServices(input);
    expect(plan.subgraphUrls).toEqual({
      catalog: 'http://127.0.0.1:4001/graphql',
      approval: 'http://127.0.0.1:4002/graphql',
      hanbit: 'http://127.0.0.1:4011/graphql',
      daehan: 'http://127.0.0.1:4012/graphql',
    });
    const registry = specOf(plan, 'registry');
    for (const [name, url] of Object.entries(plan.subgraphUrls)) expect(registry.env[subgraphUrlVariable(name)]).toBe(url);
    expect(specOf(plan, 'gateway').env).toMatchObject({ GATEHOUSE_REGISTRY_URL: 'http://127.0.0.1:4000', PORT: '8080', GATEWAY_SIGNING_KEY: 'PRIVATE' });
    expect(specOf(plan, 'gateway').readyUrl).toBe('http://127.0.0.1:8080/readyz');
  });

  it('lets only the approval subgraph trust the gateway key, and gives every service the common environment', () => {
    const plan = planSystemServices(input);
    expect(JSON.parse(specOf(plan, 'approval').env.GATEWAY_PUBLIC_KEYS!)).toEqual(input.identityKeys.jwks);
    for (const spec of plan.stages.flat()) {
      expect(spec.env).toMatchObject(input.common);
      if (spec.name !== 'approval') expect(spec.env.GATEWAY_PUBLIC_KEYS).toBeUndefined();
    }
  });

  it('points each mall at its demo site to crawl, and at the public address shoppers open', () => {
    const plan = planSystemServices({ ...input, publicDemoSitesUrl: 'http://localhost:4100' });
    expect(specOf(plan, 'daehan').env).toMatchObject({
      PORT: '4012',
      MALL_SITE_URL: 'http://127.0.0.1:4100/daehan/',
      MALL_HOMEPAGE: 'http://localhost:4100/daehan/',
    });
  });

  it('runs the demo event source last, only when asked, sending to the approval subgraph', () => {
    expect(specOf(planSystemServices(input), 'demo-events')).toBeUndefined();
    const plan = planSystemServices({ ...input, demoEvents: true });
    expect(plan.stages.at(-1)!.map((spec) => spec.name)).toEqual(['demo-events']);
    expect(specOf(plan, 'demo-events').env).toMatchObject({ APPROVAL_EVENTS_URL: 'http://127.0.0.1:4002/events', PORTAL_URL: 'http://127.0.0.1:8080/portal/' });
    expect(plan.entryPoints).toContain('demo-events');
  });
});
