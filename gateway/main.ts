import { createLogger } from '../lib/log.ts';
import { runMain } from '../lib/runUntilSignal.ts';
import { startGatewayFromEnv } from './startGatewayFromEnv.ts';

const log = createLogger('gateway');

// The supergraph comes from SUPERGRAPH_PATH, GATEHOUSE_REGISTRY_URL or SUPERGRAPH_CONFIG (startGatewayFromEnv.ts).
runMain(log, async () => (await startGatewayFromEnv(log)).close);
