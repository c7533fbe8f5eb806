/**
 * The demo business systems (hr, finance, security) sending approval events.
 *
 * Env: APPROVAL_EVENTS_URL (default http://127.0.0.1:4002/events), AMQP_URL
 * (publish to RabbitMQ instead of HTTP), DEMO_EVENTS_PER_SECOND (default 2),
 * DEMO_USERS (default u-1001,u-1002,u-1003), JWT_SECRET (for the portal
 * links), PORTAL_URL (default http://localhost:4000/portal/),
 * APPROVAL_BROKER_PREFIX (prefixes exchange and queue names, as for the worker).
 */
import { DEV_JWT_SECRET, jwtSecretFromEnv } from '../../lib/auth/jwtSecret.ts';
import { envInt, envString } from '../../lib/env.ts';
import { createLogger } from '../../lib/log.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { brokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { portalLinks, runDemoEventSource } from './runDemoEventSource.ts';

const log = createLogger('demo-events');

runMain(log, async () => {
  const users = envString('DEMO_USERS', 'u-1001,u-1002,u-1003')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (users.length === 0) throw new Error('DEMO_USERS names no user; set it to a comma-separated list such as u-1001,u-1002');
  const jwtSecret = jwtSecretFromEnv();
  // Links first: they are what a person running the demo is looking for.
  const links = await portalLinks(users, jwtSecret, envString('PORTAL_URL', 'http://localhost:4000/portal/'));
  const note = jwtSecret === DEV_JWT_SECRET ? ' (signed with the development JWT secret, valid 12 h)' : ' (valid 12 h)';
  process.stdout.write(`Open the approval widget as a demo user${note}:\n${links.map((l) => `  ${l.userId}: ${l.url}`).join('\n')}\n`);
  const source = await runDemoEventSource({
    eventsUrl: envString('APPROVAL_EVENTS_URL', 'http://127.0.0.1:4002/events'),
    amqpUrl: process.env.AMQP_URL || undefined,
    names: brokerNames(process.env.APPROVAL_BROKER_PREFIX || undefined),
    eventsPerSecond: envInt('DEMO_EVENTS_PER_SECOND', 2),
    users,
    log,
  });
  return () => source.close();
});
