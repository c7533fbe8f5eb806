import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { createErrorMasker } from '../errors/createErrorMasker.ts';
import { createJsonErrorHandler } from '../http/createJsonErrorHandler.ts';
import type { HttpLimits } from '../http/httpLimits.ts';
import { listen } from '../http/listen.ts';
import { createLogger, type Logger } from '../log.ts';
import { useMetricsRoute, type Metrics } from '../metrics/createMetrics.ts';
import { createTraceMiddleware } from '../tracing/createTraceMiddleware.ts';
import type { GraphQLSchema } from 'graphql';

export interface SubgraphServerOptions<TContext extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  /** Builds the per-request context (DataLoaders, the caller's identity). */
  context: (request: { headers: IncomingHttpHeaders }) => Promise<TContext>;
  port?: number;
  host?: string;
  /**
   * Adds what a subgraph serves besides GraphQL over HTTP (an ingestion route,
   * a WebSocket endpoint on the same server); returns its own cleanup.
   */
  extend?: (app: Express, httpServer: Server) => Promise<() => Promise<void>> | (() => Promise<void>);
  /** Served at `/metrics` when given. */
  metrics?: Metrics;
  /** Where masked errors are logged in full; default: a logger named after the subgraph. */
  log?: Logger;
  /** Introspection and the landing page, request limits: what the service's configuration says. */
  serve?: ServeOptions;
}

/** What a service's configuration (its config.ts) decides about how it serves HTTP. */
export interface ServeOptions {
  /** Introspection and Apollo's landing page (GATEHOUSE_INTROSPECTION); default on, as in the demo profile. `_service` stays: the gateway and registry need it. */
  introspection?: boolean;
  /** Request timeouts and connection cap; default from the environment. */
  httpLimits?: HttpLimits;
}

export interface RunningSubgraph {
  /** The GraphQL endpoint: `http://host:port/graphql`. */
  url: string;
  close(): Promise<void>;
}

/** Largest request body a subgraph accepts; the gateway never sends more. */
const BODY_LIMIT = '1mb';

/** Serves one subgraph schema at `/graphql`, with `/healthz` (and `/metrics`). */
export async function serveSubgraph<TContext extends BaseContext>(options: SubgraphServerOptions<TContext>): Promise<RunningSubgraph> {
  const app = express();
  const httpServer: Server = createServer(app);
  const log = options.log ?? createLogger(options.name);
  const introspection = options.serve?.introspection ?? true;
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    // No Apollo usage reporting here, so no per-request federated traces either.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      ...(introspection ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
    introspection,
    // Subgraph errors travel through the gateway to clients: driver messages and addresses stay in the log.
    includeStacktraceInErrorResponses: false,
    formatError: createErrorMasker({ where: `subgraph ${options.name}`, log }),
    // The service's own signal handler closes everything in order (lib/runUntilSignal.ts).
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', subgraph: options.name });
  });
  if (options.metrics) useMetricsRoute(app, options.metrics);
  const cleanupExtension = options.extend ? await options.extend(app, httpServer) : async () => undefined;
  // The trace middleware after the body parser, whose stream callbacks would leave the span's context.
  app.use(
    '/graphql',
    express.json({ limit: BODY_LIMIT }),
    createTraceMiddleware(`${options.name} /graphql`),
    expressMiddleware(apollo, { context: ({ req }) => options.context({ headers: req.headers }) }),
  );
  // Last: a body that does not parse (or any other route's failure) answers JSON, never Express's page with a stack.
  app.use(createJsonErrorHandler(log));
  const baseUrl = await listen(httpServer, options.port, options.host, options.serve?.httpLimits);
  return {
    url: `${baseUrl}/graphql`,
    close: async () => {
      await cleanupExtension();
      await apollo.stop();
    },
  };
}
