import { readSupergraphConfig } from '../composition/readSupergraphConfig.ts';
import { createLogger } from '../lib/log.ts';
import { connectMongo } from '../lib/mongo/connectMongo.ts';
import { runMain } from '../lib/runUntilSignal.ts';
import { startTracing } from '../lib/tracing/startTracing.ts';
import { registryConfigFromEnv } from './config.ts';
import { DEV_ADMIN_TOKEN } from './http/changeRights.ts';
import { startRegistry } from './startRegistry.ts';

const log = createLogger('registry');

runMain(log, async () => {
  // Every variable is read and checked before anything connects (registry/config.ts).
  const config = registryConfigFromEnv();
  const tracing = await startTracing(config.tracing, 'registry', log);
  if (config.adminToken === DEV_ADMIN_TOKEN) log.warn('using the development admin token; set GATEHOUSE_ADMIN_TOKEN before anyone else can reach this port');
  const mongo = await connectMongo(config.mongoUri, config.database);
  try {
    const registry = await startRegistry({
      db: mongo.db,
      log,
      adminToken: config.adminToken,
      seed: () => readSupergraphConfig(config.supergraphConfig, config.routing),
      amqpUrl: config.amqpUrl,
      exchange: config.exchange,
      port: config.port,
      host: config.host,
      routingAllow: config.routingAllow,
      composeBudget: config.composeBudget,
      httpLimits: config.http,
      console: config.console,
      schemaChecks: config.schemaChecks,
      usageDays: config.usageDays,
    });
    log.info(`registry ready at ${registry.url} (profile ${config.profile})`);
    return async () => {
      await registry.close();
      await mongo.close();
      await tracing.shutdown();
    };
  } catch (error) {
    await mongo.close();
    throw error;
  }
});
