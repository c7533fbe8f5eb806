/**
 * Starts the demo mall web sites: `PORT` (default 4100), `DEMO_SITE_DELAY_MS`
 * (default 0), `DEMO_SITE_DELAYS_MS` (per site, e.g. `hanbit=50,daehan=700`).
 */
import { envInt, envString } from '../../lib/env.ts';
import { createLogger, errorMessage } from '../../lib/log.ts';
import { createDemoSites } from './createDemoSites.ts';
import { parseSiteDelays } from './parseSiteDelays.ts';

const log = createLogger('demo-sites');

try {
  const sites = await createDemoSites({
    port: envInt('PORT', 4100),
    host: envString('HOST', '127.0.0.1'),
    delayMs: envInt('DEMO_SITE_DELAY_MS', 0),
    siteDelaysMs: parseSiteDelays(envString('DEMO_SITE_DELAYS_MS', '')),
  });
  log.info(`demo malls at ${sites.url}/hanbit/ ${sites.url}/daehan/ ${sites.url}/sejong/ ${sites.url}/minguk/ (minguk: to scaffold a mall against)`);
  const stop = () => {
    sites.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error(`closing failed: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  const inUse = (error as { code?: unknown }).code === 'EADDRINUSE';
  log.error(`could not start the demo sites: ${errorMessage(error)}${inUse ? '; set PORT to a free port' : ''}`);
  process.exitCode = 1;
}
