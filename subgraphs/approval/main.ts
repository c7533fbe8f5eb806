import { jwtSecretFromEnv, DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { envInt, envString } from '../../lib/env.ts';
import { createLogger } from '../../lib/log.ts';
import { connectMongo, databaseName } from '../../lib/mongo/connectMongo.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { createInProcessChangeFeed } from './changeFeed.ts';
import { createApprovalSubgraph } from './createApprovalSubgraph.ts';
import { systemsFromEnv } from './systems.ts';

const log = createLogger('approval');

runMain(log, async () => {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set; run the approval subgraph through `npm start` or point MONGODB_URI at MongoDB');
  const port = envInt('PORT', 4002);
  const host = envString('HOST', '127.0.0.1');
  // Configuration errors surface before anything connects.
  const systems = systemsFromEnv();
  if (!process.env.APPROVAL_SYSTEMS) log.warn(`APPROVAL_SYSTEMS is unset; using the demo systems ${systems.map((s) => s.id).join(', ')} with their public dev secrets`);
  const jwtSecret = jwtSecretFromEnv();
  if (jwtSecret === DEV_JWT_SECRET) log.warn('JWT_SECRET is unset; accepting tokens signed with the public development secret');
  const mongo = await connectMongo(uri, databaseName('approval'));
  const changeFeed = createInProcessChangeFeed({ onListenerError: (error) => log.warn(`a change listener failed: ${String(error)}`) });
  try {
    const subgraph = await createApprovalSubgraph({ db: mongo.db, port, host, systems, jwtSecret, changeFeed, log });
    log.info(`approval subgraph ready at ${subgraph.url} (events: POST ${subgraph.url.replace(/\/graphql$/, '/events')})`);
    return async () => {
      await subgraph.close();
      await changeFeed.close();
      await mongo.close();
    };
  } catch (error) {
    await changeFeed.close();
    await mongo.close();
    throw error;
  }
});
