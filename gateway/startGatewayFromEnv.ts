import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '../lib/log.ts';
import { startTracing } from '../lib/tracing/startTracing.ts';
import { createGatewayIdentity } from './auth/createGatewayIdentity.ts';
import { gatewayConfigFromEnv, type GatewayConfig, type GatewayOverrides, type SupergraphSource } from './config.ts';
import { createGateway, type RunningGateway } from './createGateway.ts';
import { createConfigSupergraph } from './supergraph/createConfigSupergraph.ts';
import { createFileSupergraph } from './supergraph/createFileSupergraph.ts';
import { createRegistrySupergraph } from './supergraph/createRegistrySupergraph.ts';

export type { GatewayOverrides } from './config.ts';

/**
 * Starts the gateway with the settings its variables give (gateway/config.ts,
 * README, Configuration), as `gateway/main.ts` and `gatehouse gateway` both
 * do. Every variable is read and checked before anything starts.
 */
export async function startGatewayFromEnv(log: Logger, overrides: GatewayOverrides = {}, env: NodeJS.ProcessEnv = process.env): Promise<RunningGateway> {
  return startGateway(log, gatewayConfigFromEnv(env, overrides));
}

export async function startGateway(log: Logger, config: GatewayConfig): Promise<RunningGateway> {
  if (config.ignoredRegistryUrl)
    log.warn(`SUPERGRAPH_PATH and GATEHOUSE_REGISTRY_URL are both set; serving the file and not following the registry at ${config.ignoredRegistryUrl}`);
  // First, so the spans of everything after it are exported.
  const tracing = await startTracing(config.tracing, 'gateway', log);
  const { supergraph, from } = supergraphFrom(log, config.supergraph);
  const gateway = await createGateway({
    supergraph,
    log,
    port: config.port,
    host: config.host,
    subgraphDeadlineMs: config.subgraphDeadlineMs,
    jwtSecret: config.jwtSecret,
    identity: await createGatewayIdentity(log, config.signingKeyPem, config.identitySubgraphs),
    introspection: config.introspection,
    registryConsoleUrl: config.registryConsoleUrl,
    buildBudget: config.buildBudget,
    httpLimits: config.http,
    edge: config.edge,
    // Manifests come from, and usage goes to, the registry the supergraph comes from.
    persisted: {
      ...config.persisted,
      pollMs: config.supergraph.kind === 'registry' ? config.supergraph.pollMs : 1000,
      ...(config.supergraph.kind === 'registry' ? { registryUrl: config.supergraph.url } : {}),
    },
  }).catch(async (error: unknown) => {
    await tracing.shutdown();
    throw error;
  });
  log.info(`gateway ready at ${gateway.url}/graphql, serving ${from} (profile ${config.profile}${config.introspection ? ', introspection on' : ''})`);
  return {
    url: gateway.url,
    close: async () => {
      await gateway.close();
      await tracing.shutdown();
    },
  };
}

function supergraphFrom(log: Logger, source: SupergraphSource): { supergraph: SupergraphManager; from: string } {
  switch (source.kind) {
    case 'file':
      return { supergraph: createFileSupergraph(source.path, { log }), from: `the supergraph file ${source.path} (reloaded when it changes)` };
    case 'registry':
      // It follows the registry's revisions.
      return {
        supergraph: createRegistrySupergraph({ registryUrl: source.url, log, pollMs: source.pollMs, amqpUrl: source.amqpUrl, exchange: source.exchange }),
        from: `the registry at ${source.url}`,
      };
    case 'config':
      // Neither: supergraph.yaml, composed once.
      return { supergraph: createConfigSupergraph(source.path, source.routing), from: `${source.path}, composed at start` };
  }
}
