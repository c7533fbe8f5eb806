import { createLogger } from '../lib/log.ts';
import { runMain } from '../lib/runUntilSignal.ts';
import { startGatewayFromEnv } from './startGatewayFromEnv.ts';

const log = createLogger('gateway');

// Every setting, the supergraph's source included, comes from gateway/config.ts, read once here.
runMain(log, async () => (await startGatewayFromEnv(log)).close);
