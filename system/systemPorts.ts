import { freePort } from '../lib/http/freePort.ts';

/** Fixed ports (`npm start`); malls take `mallBase`, `mallBase + 1`, … in DEMO_MALLS order. */
export interface FixedPorts {
  gateway: number;
  registry: number;
  catalog: number;
  approval: number;
  demoSites: number;
  mallBase: number;
  database: number;
}

export interface SystemPorts {
  gateway: number;
  registry: number;
  catalog: number;
  approval: number;
  demoSites: number;
  /** One per mall, in DEMO_MALLS order. */
  malls: number[];
}

/** The fixed ports when given, else one free port per service. */
export async function allocateSystemPorts(host: string, mallCount: number, fixed?: FixedPorts): Promise<SystemPorts> {
  const port = async (fixedPort: number | undefined) => fixedPort ?? (await freePort(host));
  const demoSites = await port(fixed?.demoSites);
  const catalog = await port(fixed?.catalog);
  const approval = await port(fixed?.approval);
  const malls: number[] = [];
  for (let index = 0; index < mallCount; index++) malls.push(await port(fixed ? fixed.mallBase + index : undefined));
  const registry = await port(fixed?.registry);
  const gateway = await port(fixed?.gateway);
  return { gateway, registry, catalog, approval, demoSites, malls };
}
