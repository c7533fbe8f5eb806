import { createLogger } from '../../../lib/log.ts';
import { runMain } from '../../../lib/runUntilSignal.ts';
import type { SiteDescription } from './siteDescription.ts';
import { mallConfigFromEnv, startMall } from './startMall.ts';

/** A mall's `main`: its site description plus where the site is by default. */
export function runMall(createSite: (siteUrl: string) => SiteDescription, defaultSiteUrl: string): void {
  const log = createLogger('mall');
  runMain(log, async () => {
    const config = mallConfigFromEnv(defaultSiteUrl);
    const mall = await startMall(createSite(config.siteUrl), config, log);
    return mall.close;
  });
}
