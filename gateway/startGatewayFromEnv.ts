import { resolve } from 'node:path';
import type { SupergraphManager } from '@apollo/gateway';
import { jwtSecretFromEnv } from '../lib/auth/jwtSecret.ts';
import { envInt, envString } from '../lib/env.ts';
import type { Logger } from '../lib/log.ts';
import { identityFromEnv } from './auth/identityFromEnv.ts';
import { createGateway, type RunningGateway } from './createGateway.ts';
import { createConfigSupergraph } from './supergraph/createConfigSupergraph.ts';
import { createFileSupergraph } from './supergraph/createFileSupergraph.ts';
import { createRegistrySupergraph } from './supergraph/createRegistrySupergraph.ts';

export interface GatewayOverrides {
  /** A composed supergraph file to serve (the CLI's --supergraph); beats every variable. */
  supergraphPath?: string;
  port?: number;
  host?: string;
}

/**
 * Starts the gateway with the settings its variables give (README,
 * Configuration), as `gateway/main.ts` and `gatehouse gateway` both do. The
 * supergraph comes from, first to last: a supergraph file (--supergraph or
 * SUPERGRAPH_PATH), the registry (GATEHOUSE_REGISTRY_URL), or a
 * supergraph.yaml composed at start (SUPERGRAPH_CONFIG).
 */
export async function startGatewayFromEnv(log: Logger, overrides: GatewayOverrides = {}, env: NodeJS.ProcessEnv = process.env): Promise<RunningGateway> {
  const { supergraph, from } = supergraphFromEnv(log, overrides.supergraphPath, env);
  const gateway = await createGateway({
    supergraph,
    log,
    port: overrides.port ?? envInt('PORT', 4000, env),
    host: overrides.host ?? envString('HOST', '127.0.0.1', env),
    subgraphDeadlineMs: envInt('GATEWAY_SUBGRAPH_DEADLINE_MS', 3000, env),
    jwtSecret: jwtSecretFromEnv(env),
    identity: await identityFromEnv(log, env),
  });
  log.info(`gateway ready at ${gateway.url}/graphql, serving ${from}`);
  return gateway;
}

function supergraphFromEnv(log: Logger, flagPath: string | undefined, env: NodeJS.ProcessEnv): { supergraph: SupergraphManager; from: string } {
  const registryUrl = env.GATEHOUSE_REGISTRY_URL || undefined;
  const path = flagPath ?? (env.SUPERGRAPH_PATH || undefined);
  if (path !== undefined) {
    // The CLI reads GATEHOUSE_REGISTRY_URL for its other commands; only two variables that disagree are worth a word.
    if (flagPath === undefined && registryUrl) log.warn(`SUPERGRAPH_PATH and GATEHOUSE_REGISTRY_URL are both set; serving the file and not following the registry at ${registryUrl}`);
    return { supergraph: createFileSupergraph(path, { log }), from: `the supergraph file ${resolve(path)} (reloaded when it changes)` };
  }
  if (registryUrl) {
    // It follows the registry's revisions.
    return {
      supergraph: createRegistrySupergraph({
        registryUrl,
        log,
        pollMs: envInt('GATEWAY_REGISTRY_POLL_MS', 1000, env),
        amqpUrl: env.AMQP_URL || undefined,
        exchange: env.REGISTRY_EXCHANGE || undefined,
      }),
      from: `the registry at ${registryUrl}`,
    };
  }
  // Neither: supergraph.yaml, composed once.
  const config = resolve(envString('SUPERGRAPH_CONFIG', 'supergraph.yaml', env));
  return { supergraph: createConfigSupergraph(config, env), from: `${config}, composed at start` };
}
