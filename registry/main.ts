import { resolve } from 'node:path';
import { readSupergraphConfig } from '../composition/readSupergraphConfig.ts';
import { envInt, envString } from '../lib/env.ts';
import { createLogger } from '../lib/log.ts';
import { connectMongo, databaseName } from '../lib/mongo/connectMongo.ts';
import { runMain } from '../lib/runUntilSignal.ts';
import { DEV_ADMIN_TOKEN } from './http/changeRights.ts';
import { DEMO_ROUTING_ALLOW } from './http/routingAllowlist.ts';
import { startRegistry } from './startRegistry.ts';

const log = createLogger('registry');

runMain(log, async () => {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set; run the registry through `npm start` or point MONGODB_URI at MongoDB');
  const adminToken = envString('GATEHOUSE_ADMIN_TOKEN', DEV_ADMIN_TOKEN);
  if (adminToken === DEV_ADMIN_TOKEN) log.warn('using the development admin token; set GATEHOUSE_ADMIN_TOKEN before anyone else can reach this port');
  const config = resolve(envString('SUPERGRAPH_CONFIG', 'supergraph.yaml'));
  const mongo = await connectMongo(uri, databaseName('registry'));
  try {
    const registry = await startRegistry({
      db: mongo.db,
      log,
      adminToken,
      seed: () => readSupergraphConfig(config),
      amqpUrl: process.env.AMQP_URL || undefined,
      exchange: process.env.REGISTRY_EXCHANGE || undefined,
      port: envInt('PORT', 4080),
      host: envString('HOST', '127.0.0.1'),
      routingAllow: envString('GATEHOUSE_ROUTING_ALLOW', DEMO_ROUTING_ALLOW),
    });
    log.info(`registry ready at ${registry.url}`);
    return async () => {
      await registry.close();
      await mongo.close();
    };
  } catch (error) {
    await mongo.close();
    throw error;
  }
});
