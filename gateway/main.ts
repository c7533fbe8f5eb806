import { resolve } from 'node:path';
import { envInt, envString } from '../lib/env.ts';
import { createLogger } from '../lib/log.ts';
import { runMain } from '../lib/runUntilSignal.ts';
import { jwtSecretFromEnv } from '../lib/auth/jwtSecret.ts';
import { createGateway } from './createGateway.ts';
import { createConfigSupergraph } from './supergraph/createConfigSupergraph.ts';

const log = createLogger('gateway');

runMain(log, async () => {
  const config = resolve(envString('SUPERGRAPH_CONFIG', 'supergraph.yaml'));
  const gateway = await createGateway({
    supergraph: createConfigSupergraph(config),
    log,
    port: envInt('PORT', 4000),
    host: envString('HOST', '127.0.0.1'),
    subgraphDeadlineMs: envInt('GATEWAY_SUBGRAPH_DEADLINE_MS', 3000),
    jwtSecret: jwtSecretFromEnv(),
  });
  log.info(`gateway ready at ${gateway.url}/graphql`);
  return gateway.close;
});
