import type { GraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { directorySdl, findMallsInSdl, type MallListing } from '../../composition/mallDirectory.ts';
import type { GraphQLResolverMap } from '../../lib/subgraph/resolverMap.ts';
import { createPreparedLocalDataSource } from './createPreparedLocalDataSource.ts';

/**
 * The directory subgraph, served inside the gateway from the supergraph it
 * runs, so its list of malls always matches the query planner's.
 */
export function createDirectoryDataSource(supergraphSdl: string): GraphQLDataSource {
  const malls = findMallsInSdl(supergraphSdl, 'supergraph');
  const byId = new Map(malls.map((mall) => [mall.id, mall]));
  const resolvers: Record<string, unknown> = {
    Query: {
      malls: () => malls,
      mall: (_root: unknown, args: { id: string }) => byId.get(args.id) ?? null,
    },
    Mall: { __resolveType: (mall: MallListing) => mall.typeName },
  };
  for (const mall of malls) {
    resolvers[mall.typeName] = { __resolveReference: (reference: { id: string }) => byId.get(reference.id) ?? null };
  }
  const schema = buildSubgraphSchema({
    typeDefs: parse(directorySdl(malls)),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  return createPreparedLocalDataSource(schema);
}
