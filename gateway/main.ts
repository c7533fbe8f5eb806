import { resolve } from 'node:path';
import { envInt, envString } from '../lib/env.ts';
import { createLogger } from '../lib/log.ts';
import { runMain } from '../lib/runUntilSignal.ts';
import { jwtSecretFromEnv } from '../lib/auth/jwtSecret.ts';
import { identityFromEnv } from './auth/identityFromEnv.ts';
import { createGateway } from './createGateway.ts';
import { createConfigSupergraph } from './supergraph/createConfigSupergraph.ts';
import { createRegistrySupergraph } from './supergraph/createRegistrySupergraph.ts';

const log = createLogger('gateway');

runMain(log, async () => {
  const registryUrl = process.env.GATEHOUSE_REGISTRY_URL;
  // With a registry the gateway follows its revisions; without, it composes supergraph.yaml once.
  const supergraph = registryUrl
    ? createRegistrySupergraph({
        registryUrl,
        log,
        pollMs: envInt('GATEWAY_REGISTRY_POLL_MS', 1000),
        amqpUrl: process.env.AMQP_URL || undefined,
        exchange: process.env.REGISTRY_EXCHANGE || undefined,
      })
    : createConfigSupergraph(resolve(envString('SUPERGRAPH_CONFIG', 'supergraph.yaml')));
  const gateway = await createGateway({
    supergraph,
    log,
    port: envInt('PORT', 4000),
    host: envString('HOST', '127.0.0.1'),
    subgraphDeadlineMs: envInt('GATEWAY_SUBGRAPH_DEADLINE_MS', 3000),
    jwtSecret: jwtSecretFromEnv(),
    identity: await identityFromEnv(log),
  });
  log.info(`gateway ready at ${gateway.url}/graphql${registryUrl ? `, following the registry at ${registryUrl}` : ''}`);
  return gateway.close;
});
