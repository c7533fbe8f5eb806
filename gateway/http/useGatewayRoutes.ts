import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from '../../lib/log.ts';
import { useMetricsRoute, type Metrics } from '../../lib/metrics/createMetrics.ts';
import { createTraceMiddleware } from '../../lib/tracing/createTraceMiddleware.ts';
import type { Authenticator } from '../auth/createAuthenticator.ts';
import type { GatewayContext } from '../auth/gatewayContext.ts';
import { useMultipartDefer } from '../defer/useMultipartDefer.ts';
import type { IncrementalOptions } from '../defer/executeIncrementally.ts';
import { useIde } from '../ide/useIde.ts';
import { useLandingPage } from '../landing/useLandingPage.ts';
import type { RateLimits } from '../limits/createRateLimits.ts';
import { usePortal } from '../portal/usePortal.ts';
import type { OperationHandlers } from '../subscriptions/createOperationHandlers.ts';
import type { StreamTransportEdge } from '../subscriptions/createStreamEdge.ts';
import { useSseTransport } from '../subscriptions/useSseTransport.ts';
import type { VersionedGateway } from '../supergraph/createVersionedGateway.ts';
import { createCompression } from './createCompression.ts';
import { createCorsHandler } from './createCorsHandler.ts';
import { createRateLimitHandler } from './createRateLimitHandler.ts';
import type { EdgeConfig } from './edgeConfig.ts';
import { useHealthRoutes } from './healthRoutes.ts';
import { jsonErrors, jsonNotFound } from './jsonErrors.ts';
import { refuseInvalidTokens } from './refuseInvalidTokens.ts';

export interface GatewayRoutesOptions {
  gateway: VersionedGateway;
  apollo: ApolloServer<GatewayContext>;
  log: Logger;
  metrics: Metrics;
  jwks: JSONWebKeySet;
  introspection: boolean;
  registryConsoleUrl?: string;
  corsOrigins: EdgeConfig['corsOrigins'];
  authenticate: Authenticator;
  rateLimits: RateLimits;
  maxBodyBytes?: number;
  /** Resolves persisted ids and refuses free-form operations from clients not allowed them. */
  trustedHandler: RequestHandler;
  incremental: IncrementalOptions;
  /** What SSE streams run on. */
  streams: { schema: () => GraphQLSchema; handlers: OperationHandlers; edge?: StreamTransportEdge };
}

/** The gateway's HTTP edge: health, metrics, keys, pages, and `/graphql` over HTTP and SSE, in the order a request meets them. */
export function useGatewayRoutes(app: Express, options: GatewayRoutesOptions): void {
  const { gateway } = options;
  useHealthRoutes(app, () => {
    const status = gateway.status();
    return {
      ready: status.current !== null,
      detail: { supergraph: status.current, rejected: status.rejected, unhealthy: status.unhealthy, openDataSources: gateway.openDataSources() },
    };
  });
  useMetricsRoute(app, options.metrics);
  // Subgraphs verify the gateway's identity assertions with these public keys.
  app.get('/.well-known/jwks.json', (_req, res) => void res.json(options.jwks));
  usePortal(app);
  if (options.introspection) {
    useLandingPage(app, { registryConsoleUrl: options.registryConsoleUrl });
    useIde(app, options.log);
  }
  app.use('/graphql', createCorsHandler(options.corsOrigins));
  useSseTransport(app, { ...options.streams, authenticate: options.authenticate });
  app.use(
    '/graphql',
    createCompression(),
    refuseInvalidTokens(options.authenticate),
    createRateLimitHandler(options.rateLimits),
    express.json({ limit: options.maxBodyBytes ?? 256 * 1024 }),
    // After the body parser, whose stream callbacks would leave the span's context.
    createTraceMiddleware('/graphql'),
    // Persisted ids become their operations; free-form operations only for the clients allowed them.
    options.trustedHandler,
    // Incremental delivery for clients that accept it (gateway/defer/); everything else goes on to Apollo Server.
    useMultipartDefer(options.incremental),
    expressMiddleware(options.apollo, { context: ({ res }) => Promise.resolve({ userId: (res.locals.userId as string | undefined) ?? null }) }),
  );
  app.use(jsonNotFound());
  app.use(jsonErrors(options.log));
}
