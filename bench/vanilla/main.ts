/**
 * Vanilla Apollo Gateway, the yardstick of `npm run bench gateway`: a plain
 * `ApolloGateway` over a supergraph file in `@apollo/server`'s standalone
 * server, as the public federation benchmark runs it, with no tuning.
 * `SUPERGRAPH_PATH` (required), `PORT` (default 4000), `HOST`.
 *
 * The one addition: a supergraph composed by Gatehouse has a `directory`
 * subgraph (`local://…`, the list of malls) that Gatehouse's gateway serves
 * in-process; it is served here the same way, so mall searches work too.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createDirectoryDataSource } from '../../gateway/directory/createDirectoryDataSource.ts';
import { envInt, envString } from '../../lib/env.ts';
import { createLogger } from '../../lib/log.ts';
import { runMain } from '../../lib/runUntilSignal.ts';

const log = createLogger('vanilla-gateway');

runMain(log, async () => {
  const path = process.env.SUPERGRAPH_PATH;
  if (!path) throw new Error('SUPERGRAPH_PATH is not set; point it at a supergraph SDL file');
  const supergraphSdl = readFileSync(path, 'utf8');
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) => (url?.startsWith('local://') ? createDirectoryDataSource(supergraphSdl) : new RemoteGraphQLDataSource({ url })),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: envInt('PORT', 4000), host: envString('HOST', '127.0.0.1') } });
  log.info(`vanilla Apollo Gateway ready at ${url}`);
  return () => server.stop();
});
