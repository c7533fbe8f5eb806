/** The workload subgraphs as their own process: `PORT` (default 4200), `HOST`. */
import { envInt, envString } from '../../lib/env.ts';
import { createLogger } from '../../lib/log.ts';
import { runMain } from '../../lib/runUntilSignal.ts';
import { createWorkloadServer } from './createWorkloadServer.ts';

const log = createLogger('workload-subgraphs');

runMain(log, async () => {
  const server = await createWorkloadServer({ port: envInt('PORT', 4200), host: envString('HOST', '127.0.0.1') });
  log.info(`workload subgraphs at ${server.url}/{accounts,inventory,products,reviews}/graphql`);
  return server.close;
});
