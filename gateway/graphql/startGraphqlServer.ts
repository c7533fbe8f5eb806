import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createErrorMasker, isMaskedMessage, type ErrorFormatter } from '../../lib/errors/createErrorMasker.ts';
import type { Logger } from '../../lib/log.ts';
import type { GatewayContext } from '../auth/gatewayContext.ts';
import type { EdgeConfig } from '../http/edgeConfig.ts';
import { withLimitCodes } from '../limits/limitExceededError.ts';
import { operationLimitRules } from '../limits/operationLimits.ts';
import { useDemandControl } from '../limits/useDemandControl.ts';
import type { VersionedGateway } from '../supergraph/createVersionedGateway.ts';
import { createTracingPlugin } from '../tracing/createTracingPlugin.ts';

export interface GraphqlServerOptions {
  gateway: VersionedGateway;
  httpServer: Server;
  log: Logger;
  limits: EdgeConfig['limits'];
  introspection: boolean;
  /** Counts operations; runs before tracing. */
  metricsPlugin: ApolloServerPlugin;
  /** Trusted documents and usage reports; run after tracing, before demand control. */
  trustedPlugins: ApolloServerPlugin[];
}

export interface GraphqlServer {
  apollo: ApolloServer<GatewayContext>;
  /** What every transport shows clients of an error. */
  formatError: ErrorFormatter;
}

/** Apollo Server over the versioned gateway, with the operation limits, error masking and plugins the gateway runs, started. */
export async function startGraphqlServer(options: GraphqlServerOptions): Promise<GraphqlServer> {
  const { gateway, limits } = options;
  // No driver text or address reaches a client: what a subgraph masked passes, anything else unexpected is masked here.
  const formatError = withLimitCodes(
    createErrorMasker({
      where: 'the gateway',
      log: options.log,
      unexpectedCodes: ['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR'],
      passThrough: (error) => typeof error.extensions?.serviceName === 'string' && isMaskedMessage(error.message),
    }),
  );
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      options.metricsPlugin,
      createTracingPlugin(),
      ...options.trustedPlugins,
      useDemandControl({
        maxCost: limits.maxCost,
        defaultListSize: limits.defaultListSize,
        supergraphSdlOf: (schema) => gateway.versionOf(schema)?.sdl ?? null,
      }),
      // Apollo's landing page loads from a CDN; the gateway serves its own IDE (gateway/ide/).
      ApolloServerPluginLandingPageDisabled(),
    ],
    introspection: options.introspection,
    // Ids are resolved at the edge (gateway/persisted/); Apollo's own APQ would accept any hash sent with its query.
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    formatError,
    // The service's own signal handler closes everything in order (lib/runUntilSignal.ts).
    stopOnTerminationSignals: false,
    validationRules: operationLimitRules(limits),
    // The parser stops past this many tokens, so nothing bigger is parsed or validated.
    ...(limits.maxTokens > 0 ? { parseOptions: { maxTokens: limits.maxTokens } } : {}),
    // Kept on (Apollo's default), said here so it stays: see createCorsHandler.ts.
    csrfPrevention: true,
  });
  await apollo.start();
  return { apollo, formatError };
}
