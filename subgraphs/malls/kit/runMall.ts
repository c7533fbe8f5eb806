import { createLogger } from '../../../lib/log.ts';
import { runMain } from '../../../lib/runUntilSignal.ts';
import { startTracing } from '../../../lib/tracing/startTracing.ts';
import type { SiteDescription } from './siteDescription.ts';
import { mallConfigFromEnv, startMall } from './startMall.ts';

/** A mall's `main`: its site description plus where the site is by default. */
export function runMall(createSite: (siteUrl: string) => SiteDescription, defaultSiteUrl: string): void {
  runMain(createLogger('mall'), async () => {
    const config = mallConfigFromEnv(defaultSiteUrl);
    const site = createSite(config.siteUrl);
    // Named as its spans are (mall-<id>), so a log line, JSON or not, says which mall wrote it.
    const log = createLogger(`mall-${site.id}`);
    const tracing = await startTracing(config.tracing ?? { enabled: false }, `mall-${site.id}`, log);
    const mall = await startMall(site, config, log);
    return async () => {
      await mall.close();
      await tracing.shutdown();
    };
  });
}
