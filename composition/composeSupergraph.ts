import { composeServices } from '@apollo/composition';
import { parse, GraphQLError } from 'graphql';
import { directorySdl, findMallsInSdl, type MallListing } from './mallDirectory.ts';
import { DIRECTORY_SUBGRAPH, directoryUrl, type SubgraphDefinition } from './subgraphDefinition.ts';

export type CompositionResult = { ok: true; supergraphSdl: string; malls: MallListing[] } | { ok: false; errors: string[] };

/**
 * Composes the published subgraphs plus a directory generated from the malls
 * among them, so `Query.malls` fans out to every mall subgraph.
 */
export function composeSupergraph(subgraphs: SubgraphDefinition[]): CompositionResult {
  const errors: string[] = [];
  const malls: MallListing[] = [];
  const services = [];
  for (const subgraph of subgraphs) {
    if (subgraph.name === DIRECTORY_SUBGRAPH) {
      errors.push(`subgraph name "${DIRECTORY_SUBGRAPH}" is reserved for the generated mall directory`);
      continue;
    }
    try {
      const typeDefs = parse(subgraph.sdl);
      malls.push(...findMallsInSdl(subgraph.sdl, `subgraph "${subgraph.name}"`));
      services.push({ name: subgraph.name, url: subgraph.url, typeDefs });
    } catch (error) {
      const detail = error instanceof GraphQLError ? `invalid SDL: ${error.message}` : (error as Error).message;
      errors.push(detail.startsWith('subgraph') ? detail : `subgraph "${subgraph.name}": ${detail}`);
    }
  }
  const duplicate = malls.find((mall, index) => malls.findIndex((m) => m.id === mall.id) !== index);
  if (duplicate) errors.push(`mall "${duplicate.id}" (${duplicate.typeName}) is declared by more than one subgraph`);
  if (errors.length > 0) return { ok: false, errors };

  services.push({ name: DIRECTORY_SUBGRAPH, url: directoryUrl(malls), typeDefs: parse(directorySdl(malls)) });
  const result = composeServices(services);
  if (result.errors) {
    return { ok: false, errors: result.errors.map((error) => error.message) };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl, malls };
}
