/**
 * Many mall subgraphs in one process, for benchmarks: `MALL_COUNT` malls
 * starting at index `MALL_OFFSET` (ids `m<i+1>`, ports `MALL_BASE_PORT + i`),
 * each a full mall (own cache database, limiter, coalescing) crawling the
 * demo sites in turn (mall i at the i-th of `MALL_SITE_URLS` when given, each
 * its own demo-site server).
 */
import { envInt, envString } from '../../lib/env.ts';
import { createLogger } from '../../lib/log.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { DEMO_MALLS, demoSiteUrl } from '../../subgraphs/malls/demoMalls.ts';
import { mallConfigFromEnv, startMall } from '../../subgraphs/malls/kit/startMall.ts';

const log = createLogger('mall-fleet');

export function fleetMallId(index: number): string {
  return `m${index + 1}`;
}

runMain(log, async () => {
  const count = envInt('MALL_COUNT', 3);
  const offset = envInt('MALL_OFFSET', 0);
  const basePort = envInt('MALL_BASE_PORT', 5000);
  const demoSites = envString('DEMO_SITES_URL', 'http://127.0.0.1:4100');
  const siteBases = envString('MALL_SITE_URLS', '').split(',').filter(Boolean);
  const malls = await Promise.all(
    Array.from({ length: count }, (_, i) => offset + i).map(async (index) => {
      const template = DEMO_MALLS[index % DEMO_MALLS.length]!;
      const siteUrl = demoSiteUrl(siteBases[index] ?? demoSites, template.id);
      const config = { ...mallConfigFromEnv(siteUrl), port: basePort + index };
      const site = { ...template.createSite(siteUrl), id: fleetMallId(index), name: `Mall ${index + 1}` };
      return startMall(site, config, log);
    }),
  );
  return async () => {
    await Promise.all(malls.map((mall) => mall.close()));
  };
});
