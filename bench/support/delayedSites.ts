/**
 * Several demo-site servers in one process, each with its own latency, so
 * each mall of a bench fleet can crawl a site answering after its own delay:
 * `SITE_PORTS` and `SITE_DELAYS_MS` are comma lists of the same length.
 */
import { envString } from '../../lib/env.ts';
import { createLogger } from '../../lib/log.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { createDemoSites } from '../../demo/sites/createDemoSites.ts';

const log = createLogger('delayed-sites');

function numbers(name: string): number[] {
  const list = envString(name, '').split(',').filter(Boolean).map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`${name} must be a comma list of non-negative integers; fix it`);
  return list;
}

runMain(log, async () => {
  const ports = numbers('SITE_PORTS');
  const delays = numbers('SITE_DELAYS_MS');
  if (ports.length === 0 || ports.length !== delays.length)
    throw new Error('SITE_PORTS and SITE_DELAYS_MS must list as many entries, one per site server; set both');
  const servers = await Promise.all(ports.map((port, i) => createDemoSites({ port, delayMs: delays[i]! })));
  log.info(`demo sites answering after ${delays.join(', ')} ms at ${servers.map((s) => s.url).join(' ')}`);
  return async () => {
    await Promise.all(servers.map((server) => server.close()));
  };
});
