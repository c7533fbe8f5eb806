import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { Db } from 'mongodb';
import type { IdentityVerifier } from '../../lib/auth/verifyAssertion.ts';
import { createLogger, errorMessage, type Logger } from '../../lib/log.ts';
import { serveSubgraph, type RunningSubgraph, type ServeOptions } from '../../lib/subgraph/serveSubgraph.ts';
import { createApprovalMetrics } from './approvalMetrics.ts';
import type { ChangeFeed } from './changeFeed.ts';
import { contextFor, type ApprovalContext } from './context.ts';
import { createBatchIngestor, type BatchIngestor } from './ingest/ingestBatch.ts';
import { mountHttpIngest } from './ingest/httpIngest.ts';
import type { IngestObserver } from './ingest/ingestObserver.ts';
import { createResolvers } from './resolvers.ts';
import { createApprovalStore } from './store/approvalStore.ts';
import { createSystemDirectory, type BusinessSystem } from './systems.ts';
import { serveSubscriptions } from './websocket.ts';

/** Where the approval SDL lives; the gateway composes from this same file. */
export const approvalSchemaUrl = new URL('./schema.graphql', import.meta.url);

export function loadApprovalTypeDefs(): string {
  return readFileSync(approvalSchemaUrl, 'utf8');
}

export interface ApprovalSubgraphOptions {
  db: Db;
  port?: number;
  host?: string;
  systems: readonly BusinessSystem[];
  /** Who is calling: the gateway's assertion for this subgraph (createAssertionVerifier). */
  identity: IdentityVerifier;
  /** Ingestion publishes to it, subscriptions listen to it; the caller owns (and closes) it. */
  changeFeed: ChangeFeed;
  log?: Logger;
  serve?: ServeOptions;
}

export interface ApprovalSubgraph extends RunningSubgraph {
  /**
   * The transport-independent ingestion core (signature, validation, seq rule,
   * publish), for other carriers of event batches such as a broker consumer.
   */
  ingestor: BatchIngestor;
  /** The metrics' ingestion observer, for other carriers (pass it to startBrokerIngest). */
  ingestObserver: IngestObserver;
}

/**
 * Serves the approval subgraph: GraphQL over HTTP and graphql-ws at
 * `/graphql`, signed event batches at `POST /events`, Prometheus metrics at
 * `/metrics`.
 */
export async function createApprovalSubgraph(options: ApprovalSubgraphOptions): Promise<ApprovalSubgraph> {
  const log = options.log ?? createLogger('approval');
  const store = createApprovalStore(options.db, {
    onCheckpointError: (error) => log.warn(`writing an approval checkpoint failed (${errorMessage(error)}); the next start replays more of the log`),
  });
  const systems = createSystemDirectory(options.systems);
  const deps = { store, systems, identity: options.identity };
  const metrics = createApprovalMetrics(options.systems.map((system) => system.id));
  const ingestor = createBatchIngestor({
    systems,
    store,
    changeFeed: options.changeFeed,
    onPublishError: (error) => log.warn(`announcing approval changes failed (${errorMessage(error)}); live views may lag until the next change`),
    observer: metrics.ingest,
  });
  const schema = buildSubgraphSchema([{ typeDefs: parse(loadApprovalTypeDefs()), resolvers: createResolvers(options.changeFeed, metrics.subscriptions) }]);
  const running = await serveSubgraph<ApprovalContext>({
    name: 'approval',
    schema,
    context: ({ headers }) => contextFor(headers.authorization, deps),
    port: options.port,
    host: options.host,
    serve: options.serve,
    metrics: metrics.metrics,
    extend: (app, httpServer) => {
      mountHttpIngest(app, ingestor, log, metrics.ingest);
      return serveSubscriptions({
        httpServer,
        schema,
        path: '/graphql',
        contextFor: (authorization) => contextFor(authorization, deps),
        log,
      });
    },
  });
  return { ...running, ingestor, ingestObserver: metrics.ingest };
}
