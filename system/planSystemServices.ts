import { resolve } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { subgraphUrlVariable } from '../composition/readSupergraphConfig.ts';
import { demoSiteUrl, type DemoMall } from '../subgraphs/malls/demoMalls.ts';
import type { ServiceSpec } from './spawnService.ts';
import type { SystemPorts } from './systemPorts.ts';

export interface SystemPlanInput {
  host: string;
  ports: SystemPorts;
  malls: Pick<DemoMall, 'id' | 'entry'>[];
  /** Environment every service gets (database, host, the caller's extras). */
  common: Record<string, string>;
  /** The gateway signs identity assertions with the private key; the approval subgraph trusts only these public keys. */
  identityKeys: { privateKeyPem: string; jwks: JSONWebKeySet };
  /** Where shoppers open the demo sites, when that differs from where malls crawl them. */
  publicDemoSitesUrl?: string;
  demoEvents?: boolean;
}

export interface SystemPlan {
  /** Services of a stage start side by side; each stage once the one before is ready. */
  stages: ServiceSpec[][];
  /** Stopped before the rest, so nothing new arrives while the others stop. */
  entryPoints: string[];
  gatewayUrl: string;
  registryUrl: string;
  demoSitesUrl: string;
  /** Subgraph name → its GraphQL URL. */
  subgraphUrls: Record<string, string>;
}

/** Which processes the system runs, how each is wired to the others, and in what order they start. */
export function planSystemServices(input: SystemPlanInput): SystemPlan {
  const { host, ports, common } = input;
  const at = (port: number) => `http://${host}:${port}`;
  const demoSitesUrl = at(ports.demoSites);
  const subgraphUrls: Record<string, string> = {};
  const subgraph = (name: string, entry: string, port: number, env: Record<string, string>): ServiceSpec => {
    subgraphUrls[name] = `${at(port)}/graphql`;
    return { name, entry, env, readyUrl: `${at(port)}/healthz` };
  };
  const subgraphs = [
    subgraph('catalog', 'subgraphs/catalog/main.ts', ports.catalog, { ...common, PORT: String(ports.catalog) }),
    subgraph('approval', 'subgraphs/approval/main.ts', ports.approval, {
      GATEWAY_PUBLIC_KEYS: JSON.stringify(input.identityKeys.jwks),
      ...common,
      PORT: String(ports.approval),
    }),
    ...input.malls.map((mall, index) =>
      subgraph(mall.id, mall.entry, ports.malls[index]!, {
        ...common,
        PORT: String(ports.malls[index]!),
        MALL_SITE_URL: demoSiteUrl(demoSitesUrl, mall.id),
        MALL_HOMEPAGE: demoSiteUrl(input.publicDemoSitesUrl ?? demoSitesUrl, mall.id),
      }),
    ),
  ];
  const registryUrl = at(ports.registry);
  const gatewayUrl = at(ports.gateway);
  // The registry seeds itself from supergraph.yaml, with the routing URLs of this run.
  const routing = Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [subgraphUrlVariable(name), url]));
  const stages: ServiceSpec[][] = [
    [{ name: 'demo-sites', entry: 'demo/sites/main.ts', env: { ...common, PORT: String(ports.demoSites) }, readyUrl: `${demoSitesUrl}/__stats` }],
    // Subgraphs start side by side; the registry and gateway need none of them up to compose.
    subgraphs,
    [
      {
        name: 'registry',
        entry: 'registry/main.ts',
        env: { ...common, ...routing, PORT: String(ports.registry), SUPERGRAPH_CONFIG: resolve('supergraph.yaml') },
        readyUrl: `${registryUrl}/healthz`,
      },
    ],
    [
      {
        name: 'gateway',
        entry: 'gateway/main.ts',
        env: { GATEWAY_SIGNING_KEY: input.identityKeys.privateKeyPem, ...common, PORT: String(ports.gateway), GATEHOUSE_REGISTRY_URL: registryUrl },
        readyUrl: `${gatewayUrl}/readyz`,
      },
    ],
  ];
  if (input.demoEvents) {
    const events = `${at(ports.approval)}/events`;
    stages.push([{ name: 'demo-events', entry: 'demo/events/main.ts', env: { ...common, APPROVAL_EVENTS_URL: events, PORTAL_URL: `${gatewayUrl}/portal/` } }]);
  }
  return { stages, entryPoints: ['gateway', 'demo-events'], gatewayUrl, registryUrl, demoSitesUrl, subgraphUrls };
}
