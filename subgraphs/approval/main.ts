/**
 * The approval subgraph: GraphQL and graphql-ws at /graphql, `POST /events`,
 * Prometheus metrics at /metrics.
 * With AMQP_URL it also consumes events from RabbitMQ and shares changes with
 * the other replicas through it; without, changes stay in this process.
 *
 * Every setting comes from subgraphs/approval/config.ts, read once at start
 * (README, Configuration).
 */
import { createAssertionVerifier } from '../../lib/auth/verifyAssertion.ts';
import { createLogger, errorMessage } from '../../lib/log.ts';
import { connectMongo } from '../../lib/mongo/connectMongo.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { startTracing } from '../../lib/tracing/startTracing.ts';
import { createRabbitChangeFeed } from './broker/createRabbitChangeFeed.ts';
import { startBrokerIngest } from './broker/startBrokerIngest.ts';
import { createInProcessChangeFeed, type ChangeFeed } from './changeFeed.ts';
import { createApprovalSubgraph } from './createApprovalSubgraph.ts';
import { approvalConfigFromEnv } from './config.ts';

const log = createLogger('approval');

runMain(log, async () => {
  // Configuration errors surface before anything connects.
  const config = approvalConfigFromEnv();
  const { systems, amqpUrl, broker: names } = config;
  if (config.demoSystems) log.warn(`APPROVAL_SYSTEMS is unset; using the demo systems ${systems.map((s) => s.id).join(', ')} with their public dev secrets`);
  const identity = createAssertionVerifier(config.gatewayKeys, 'approval');

  // Closed in reverse on shutdown, and on a failed start.
  const closers: Array<() => Promise<void>> = [];
  // Closed last: the spans of the shutdown itself still go out.
  const tracing = await startTracing(config.tracing, 'approval', log);
  closers.push(() => tracing.shutdown());
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => log.warn(`closing failed: ${errorMessage(error)}`));
  };
  try {
    const mongo = await connectMongo(config.mongoUri, config.database);
    closers.push(() => mongo.close());
    const onListenerError = (error: unknown) => log.warn(`a change listener failed: ${errorMessage(error)}`);
    const changeFeed: ChangeFeed = amqpUrl
      ? await createRabbitChangeFeed({ amqpUrl, log, names, onListenerError })
      : createInProcessChangeFeed({ onListenerError });
    closers.push(() => changeFeed.close());
    const subgraph = await createApprovalSubgraph({
      db: mongo.db,
      port: config.port,
      host: config.host,
      serve: config.serve,
      systems,
      identity,
      changeFeed,
      log,
    });
    closers.push(() => subgraph.close());
    if (amqpUrl) {
      const ingest = await startBrokerIngest({
        amqpUrl,
        ingestor: subgraph.ingestor,
        observer: subgraph.ingestObserver,
        log,
        names,
        prefetch: config.prefetch,
      });
      closers.push(() => ingest.close());
    }
    const events = subgraph.url.replace(/\/graphql$/, '/events');
    log.info(
      `approval subgraph ready at ${subgraph.url} (events: POST ${events}${amqpUrl ? `, and RabbitMQ exchange ${names.events}` : ''}; metrics: ${subgraph.url.replace(/\/graphql$/, '/metrics')})`,
    );
    return closeAll;
  } catch (error) {
    await closeAll();
    throw error;
  }
});
