/**
 * The approval subgraph: GraphQL and graphql-ws at /graphql, `POST /events`,
 * Prometheus metrics at /metrics.
 * With AMQP_URL it also consumes events from RabbitMQ and shares changes with
 * the other replicas through it; without, changes stay in this process.
 *
 * Env: MONGODB_URI (required), MONGODB_DB_PREFIX, PORT (4002), HOST,
 * APPROVAL_SYSTEMS, GATEWAY_PUBLIC_KEYS or GATEWAY_JWKS_URL (the gateway's
 * public keys: identity comes only from its assertions), AMQP_URL, APPROVAL_BROKER_PREFIX (prefixes
 * exchange and queue names; tests), BROKER_PREFETCH (32).
 */
import { createAssertionVerifier, gatewayKeysFromEnv } from '../../lib/auth/verifyAssertion.ts';
import { envInt, envString } from '../../lib/env.ts';
import { createLogger, errorMessage } from '../../lib/log.ts';
import { connectMongo, databaseName } from '../../lib/mongo/connectMongo.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { createRabbitChangeFeed } from './broker/createRabbitChangeFeed.ts';
import { DEFAULT_PREFETCH, startBrokerIngest } from './broker/startBrokerIngest.ts';
import { brokerNames } from './broker/topology.ts';
import { createInProcessChangeFeed, type ChangeFeed } from './changeFeed.ts';
import { createApprovalSubgraph } from './createApprovalSubgraph.ts';
import { systemsFromEnv } from './systems.ts';

const log = createLogger('approval');

runMain(log, async () => {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set; run the approval subgraph through `npm start` or point MONGODB_URI at MongoDB');
  // Configuration errors surface before anything connects.
  const systems = systemsFromEnv();
  if (!process.env.APPROVAL_SYSTEMS) log.warn(`APPROVAL_SYSTEMS is unset; using the demo systems ${systems.map((s) => s.id).join(', ')} with their public dev secrets`);
  const identity = createAssertionVerifier(gatewayKeysFromEnv(), 'approval');
  const amqpUrl = process.env.AMQP_URL || undefined;
  const names = brokerNames(process.env.APPROVAL_BROKER_PREFIX || undefined);

  // Closed in reverse on shutdown, and on a failed start.
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => log.warn(`closing failed: ${errorMessage(error)}`));
  };
  try {
    const mongo = await connectMongo(uri, databaseName('approval'));
    closers.push(() => mongo.close());
    const onListenerError = (error: unknown) => log.warn(`a change listener failed: ${errorMessage(error)}`);
    const changeFeed: ChangeFeed = amqpUrl
      ? await createRabbitChangeFeed({ amqpUrl, log, names, onListenerError })
      : createInProcessChangeFeed({ onListenerError });
    closers.push(() => changeFeed.close());
    const subgraph = await createApprovalSubgraph({
      db: mongo.db,
      port: envInt('PORT', 4002),
      host: envString('HOST', '127.0.0.1'),
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
        prefetch: envInt('BROKER_PREFETCH', DEFAULT_PREFETCH),
      });
      closers.push(() => ingest.close());
    }
    const events = subgraph.url.replace(/\/graphql$/, '/events');
    log.info(`approval subgraph ready at ${subgraph.url} (events: POST ${events}${amqpUrl ? `, and RabbitMQ exchange ${names.events}` : ''}; metrics: ${subgraph.url.replace(/\/graphql$/, '/metrics')})`);
    return closeAll;
  } catch (error) {
    await closeAll();
    throw error;
  }
});
