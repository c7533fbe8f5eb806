// First: @apollo/gateway must load after its hot dependencies lose their re-export getters.
import './execution/flattenReexports.ts';
import { createServer } from 'node:http';
import type { SupergraphManager } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { DIRECTORY_SUBGRAPH } from '../composition/subgraphDefinition.ts';
import { createErrorMasker, isMaskedMessage } from '../lib/errors/createErrorMasker.ts';
import type { Logger } from '../lib/log.ts';
import { createAuthenticator, type Authenticator } from './auth/createAuthenticator.ts';
import type { IdentityForwarding } from './auth/createIdentityForwarding.ts';
import type { GatewayContext } from './auth/gatewayContext.ts';
import type { JSONWebKeySet } from 'jose';
import { SubgraphDataSource } from './dataSources/SubgraphDataSource.ts';
import { createDirectoryDataSource } from './directory/createDirectoryDataSource.ts';
import type { HttpLimits } from '../lib/http/httpLimits.ts';
import { listen } from '../lib/http/listen.ts';
import type { WorkerBudget } from '../lib/worker/createBudgetedWorker.ts';
import { useMetricsRoute } from '../lib/metrics/createMetrics.ts';
import { useHealthRoutes } from './http/healthRoutes.ts';
import { createCompression } from './http/createCompression.ts';
import { createCorsHandler } from './http/createCorsHandler.ts';
import { createRateLimitHandler } from './http/createRateLimitHandler.ts';
import { edgeConfigFromEnv, type EdgeConfig } from './http/edgeConfig.ts';
import { createRateLimits } from './limits/createRateLimits.ts';
import { withLimitCodes } from './limits/limitExceededError.ts';
import { operationLimitRules } from './limits/operationLimits.ts';
import { useDemandControl } from './limits/useDemandControl.ts';
import { createGatewayMetrics } from './metrics/gatewayMetrics.ts';
import { usePortal } from './portal/usePortal.ts';
import { useIde } from './ide/useIde.ts';
import { useLandingPage } from './landing/useLandingPage.ts';
import { createOperationHandlers } from './subscriptions/createOperationHandlers.ts';
import { createSubscriptionRuntimes } from './subscriptions/createSubscriptionRuntimes.ts';
import { useSseTransport } from './subscriptions/useSseTransport.ts';
import { useWebSocketTransport } from './subscriptions/useWebSocketTransport.ts';
import { createVersionedGateway } from './supergraph/createVersionedGateway.ts';
import { createTrustedDocuments, type TrustedDocumentOptions } from './persisted/createTrustedDocuments.ts';
import { persistedConfigFromEnv } from './persisted/persistedConfig.ts';
import { useMultipartDefer } from './defer/useMultipartDefer.ts';
import type { SupergraphVersion } from './supergraph/supergraphVersion.ts';
import { createTraceMiddleware } from '../lib/tracing/createTraceMiddleware.ts';
import { createTracingPlugin } from './tracing/createTracingPlugin.ts';
import { noteSubgraphOutcome, traceDataSource } from './tracing/traceDataSource.ts';

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

export async function createGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { log } = options;
  const authenticate = createAuthenticator(options.jwtSecret);
  const gateway = createVersionedGateway({
    source: options.supergraph,
    log,
    releaseGraceMs: options.releaseGraceMs,
    buildBudget: options.buildBudget,
    buildDataSource: ({ name, url }, supergraphSdl) =>
      name === DIRECTORY_SUBGRAPH
        ? traceDataSource(createDirectoryDataSource(supergraphSdl), name)
        : traceDataSource(
            new SubgraphDataSource({
              name,
              url,
              deadlineMs: options.subgraphDeadlineMs,
              identity: options.identity.forward,
              observe: (...fetch) => {
                metrics.subgraphFetch(...fetch);
                noteSubgraphOutcome(fetch[2]);
              },
            }),
            name,
            options.subgraphDeadlineMs,
          ),
  });
  const metrics = createGatewayMetrics(gateway);
  const runtimes = createSubscriptionRuntimes(log, gateway);
  gateway.onVersion(runtimes.update);

  const app = express();
  const httpServer = createServer(app);
  const introspection = options.introspection ?? true;
  const edge = options.edge ?? edgeConfigFromEnv({});
  const rateLimits = createRateLimits(edge.rateLimits, log);
  const trusted = await createTrustedDocuments(options.persisted ?? { ...persistedConfigFromEnv({}), pollMs: 1000 }, log);
  // No driver text or address reaches a client: what a subgraph masked passes, anything else unexpected is masked here.
  const formatError = withLimitCodes(
    createErrorMasker({
      where: 'the gateway',
      log,
      unexpectedCodes: ['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR'],
      passThrough: (error) => typeof error.extensions?.serviceName === 'string' && isMaskedMessage(error.message),
    }),
  );
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      metrics.plugin,
      createTracingPlugin(),
      ...trusted.plugins,
      useDemandControl({
        maxCost: edge.limits.maxCost,
        defaultListSize: edge.limits.defaultListSize,
        supergraphSdlOf: (schema) => gateway.versionOf(schema)?.sdl ?? null,
      }),
      // Apollo's landing page loads from a CDN; the gateway serves its own IDE (gateway/ide/).
      ApolloServerPluginLandingPageDisabled(),
    ],
    introspection,
    // Ids are resolved at the edge (gateway/persisted/); Apollo's own APQ would accept any hash sent with its query.
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    formatError,
    // The service's own signal handler closes everything in order (lib/runUntilSignal.ts).
    stopOnTerminationSignals: false,
    validationRules: operationLimitRules(edge.limits),
    // The parser stops past this many tokens, so nothing bigger is parsed or validated.
    ...(edge.limits.maxTokens > 0 ? { parseOptions: { maxTokens: edge.limits.maxTokens } } : {}),
    // Kept on (Apollo's default), said here so it stays: see createCorsHandler.ts.
    csrfPrevention: true,
  });
  await apollo.start();

  const deferOptions = { apollo, hold: (version: SupergraphVersion) => gateway.hold(version), formatError };
  const handlers = createOperationHandlers({
    runtime: runtimes.forSchema,
    apollo,
    identity: options.identity.forward,
    onStream: () => metrics.subscriptionOpened(),
    incremental: deferOptions,
  });
  const schema = () => {
    const runtime = runtimes.current();
    if (!runtime) throw new Error('no supergraph loaded');
    return runtime.version.schema;
  };
  useHealthRoutes(app, () => {
    const status = gateway.status();
    return {
      ready: status.current !== null,
      detail: { supergraph: status.current, rejected: status.rejected, unhealthy: status.unhealthy, openDataSources: gateway.openDataSources() },
    };
  });
  useMetricsRoute(app, metrics.metrics);
  // Subgraphs verify the gateway's identity assertions with these public keys.
  app.get('/.well-known/jwks.json', (_req, res) => void res.json(options.identity.jwks));
  usePortal(app);
  if (introspection) {
    useLandingPage(app, { registryConsoleUrl: options.registryConsoleUrl });
    useIde(app, log);
  }
  app.use('/graphql', createCorsHandler(edge.corsOrigins));
  useSseTransport(app, { schema, handlers, authenticate });
  app.use(
    '/graphql',
    createCompression(),
    refuseInvalidTokens(authenticate),
    createRateLimitHandler(rateLimits),
    express.json({ limit: options.maxBodyBytes ?? 256 * 1024 }),
    // After the body parser, whose stream callbacks would leave the span's context.
    createTraceMiddleware('/graphql'),
    // Persisted ids become their operations; free-form operations only for the clients allowed them.
    trusted.handler,
    // Incremental delivery for clients that accept it (gateway/defer/); everything else goes on to Apollo Server.
    useMultipartDefer(deferOptions),
    expressMiddleware(apollo, { context: async ({ res }) => ({ userId: (res.locals.userId as string | undefined) ?? null }) }),
  );
  app.use(jsonErrors(log));
  const webSockets = useWebSocketTransport({ httpServer, schema, handlers, authenticate });

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

/** A token that does not verify is refused here, once, with the reason; a valid one leaves only its user id. */
function refuseInvalidTokens(authenticate: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const authentication = await authenticate(req.headers.authorization);
    if (authentication.kind === 'user') res.locals.userId = authentication.userId;
    if (authentication.kind !== 'invalid') return next();
    res.status(401).json({ errors: [{ message: authentication.reason, extensions: { code: 'UNAUTHENTICATED' } }] });
  };
}

/** Body-parser failures (too large, not JSON) as GraphQL-shaped JSON, not an HTML page. */
function jsonErrors(log: Logger): ErrorRequestHandler {
  return (error: { status?: number; type?: string; message?: string }, _req, res, _next) => {
    const status = error.status ?? 500;
    const message =
      error.type === 'entity.too.large'
        ? 'request body is too large; send a smaller GraphQL document and variables'
        : error.type === 'entity.parse.failed'
          ? 'request body is not valid JSON'
          : 'internal error';
    if (status >= 500) log.error(`request failed: ${error.message ?? 'unknown error'}`);
    res.status(status).json({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
  };
}
