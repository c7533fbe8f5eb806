// First: @apollo/gateway must load after its hot dependencies lose their re-export getters.
import './execution/flattenReexports.ts';
import { createServer } from 'node:http';
import type { SupergraphManager } from '@apollo/gateway';
import express from 'express';
import type { JSONWebKeySet } from 'jose';
import type { HttpLimits } from '../lib/http/httpLimits.ts';
import { listen } from '../lib/http/listen.ts';
import type { Logger } from '../lib/log.ts';
import type { WorkerBudget } from '../lib/worker/createBudgetedWorker.ts';
import { createAuthenticator } from './auth/createAuthenticator.ts';
import type { IdentityForwarding } from './auth/createIdentityForwarding.ts';
import { createGatewayExecution } from './execution/createGatewayExecution.ts';
import { startGraphqlServer } from './graphql/startGraphqlServer.ts';
import { DEFAULT_MAX_CONNECTIONS_PER_USER, edgeConfigFromEnv, type EdgeConfig } from './http/edgeConfig.ts';
import { useGatewayRoutes } from './http/useGatewayRoutes.ts';
import { createRateLimits } from './limits/createRateLimits.ts';
import { createTrustedDocuments, type TrustedDocumentOptions } from './persisted/createTrustedDocuments.ts';
import { persistedConfigFromEnv } from './persisted/persistedConfig.ts';
import { createStreamOperations } from './subscriptions/createStreamOperations.ts';
import { createStreamTransportEdge } from './subscriptions/createStreamEdge.ts';
import { useWebSocketTransport } from './subscriptions/useWebSocketTransport.ts';
import type { SupergraphVersion } from './supergraph/supergraphVersion.ts';

export interface GatewayOptions {
  supergraph: SupergraphManager;
  log: Logger;
  port?: number;
  host?: string;
  /** How long one subgraph fetch may take before its fields are given up. */
  subgraphDeadlineMs: number;
  /** HS256 secret of the tokens clients present. */
  jwtSecret: string;
  /** What each subgraph is told of the caller (createIdentityForwarding), and the keys to check it with. */
  identity: { forward: IdentityForwarding; jwks: JSONWebKeySet };
  /** Largest request body accepted at /graphql. */
  maxBodyBytes?: number;
  /** Operation limits, rate limits and CORS origins (gateway/http/edgeConfig.ts); default the demo's. */
  edge?: EdgeConfig;
  /** How long a replaced supergraph version stays usable after its last request; default 5 s. */
  releaseGraceMs?: number;
  /** Introspection, the GraphQL IDE and the landing page at `/` (GATEHOUSE_INTROSPECTION); default on, as in the demo profile. */
  introspection?: boolean;
  /** The registry console the landing page links to (GATEHOUSE_REGISTRY_CONSOLE_URL, else the registry followed). */
  registryConsoleUrl?: string;
  /** Time and memory for building a new supergraph on a worker thread; default from the environment. */
  buildBudget?: WorkerBudget;
  /** Request timeouts and connection cap; default from the environment. */
  httpLimits?: HttpLimits;
  /** Trusted documents, APQ and usage reports (gateway/persisted/); default the demo's: free-form for every client, APQ in memory, no registry. */
  persisted?: TrustedDocumentOptions;
}

export interface RunningGateway {
  /** `http://host:port` (GraphQL at `/graphql`, over HTTP, WebSocket and SSE). */
  url: string;
  close(): Promise<void>;
}

/** Starts the gateway: the supergraph it executes, Apollo Server over it, its HTTP edge and its streaming transports. */
export async function createGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { log } = options;
  const authenticate = createAuthenticator(options.jwtSecret);
  const introspection = options.introspection ?? true;
  const edge = options.edge ?? edgeConfigFromEnv({});
  const { gateway, metrics, runtimes } = createGatewayExecution(options);
  const app = express();
  const httpServer = createServer(app);
  const rateLimits = createRateLimits(edge.rateLimits, log);
  const trusted = await createTrustedDocuments(options.persisted ?? { ...persistedConfigFromEnv({}), pollMs: 1000 }, log);
  const { apollo, formatError } = await startGraphqlServer({
    gateway,
    httpServer,
    log,
    limits: edge.limits,
    introspection,
    metricsPlugin: metrics.plugin,
    trustedPlugins: trusted.plugins,
  });
  const incremental = { apollo, hold: (version: SupergraphVersion) => gateway.hold(version), formatError };
  const streams = {
    ...createStreamOperations({ runtimes, apollo, identity: options.identity.forward, onStream: () => metrics.subscriptionOpened(), incremental }),
    edge: createStreamTransportEdge({
      rateLimits,
      resolve: trusted.resolve,
      limits: edge.limits,
      maxConnectionsPerUser: edge.maxConnectionsPerUser ?? DEFAULT_MAX_CONNECTIONS_PER_USER,
      supergraphSdlOf: (schema) => gateway.versionOf(schema)?.sdl ?? null,
      usage: trusted.usage,
    }),
  };
  useGatewayRoutes(app, {
    gateway,
    apollo,
    log,
    metrics: metrics.metrics,
    jwks: options.identity.jwks,
    introspection,
    registryConsoleUrl: options.registryConsoleUrl,
    corsOrigins: edge.corsOrigins,
    authenticate,
    rateLimits,
    maxBodyBytes: options.maxBodyBytes,
    trustedHandler: trusted.handler,
    incremental,
    streams,
  });
  const webSockets = useWebSocketTransport({ httpServer, ...streams, authenticate });

  const baseUrl = await listen(httpServer, options.port, options.host, options.httpLimits);
  return {
    url: baseUrl,
    close: async () => {
      await webSockets.close();
      await runtimes.close();
      await apollo.stop();
      await rateLimits.close();
      await trusted.close();
    },
  };
}
