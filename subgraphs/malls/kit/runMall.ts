import { createLogger } from '../../../lib/log.ts';
import { runMain } from '../../../lib/runUntilSignal.ts';
import { startTracing } from '../../../lib/tracing/startTracing.ts';
import type { SiteDescription } from './siteDescription.ts';
import { mallConfigFromEnv, startMall } from './startMall.ts';

/** A mall's `main`: its site description plus where the site is by default. */
export function runMall(createSite: (siteUrl: string) => SiteDescription, defaultSiteUrl: string): void {
  const log = createLogger('mall');
  runMain(log, async () => {
    const config = mallConfigFromEnv(defaultSiteUrl);
    const site = createSite(config.siteUrl);
    const tracing = await startTracing(config.tracing ?? { enabled: false }, `mall-${site.id}`, log);
    const mall = await startMall(site, config, log);
    return async () => {
      await mall.close();
      await tracing.shutdown();
    };
  });
}
