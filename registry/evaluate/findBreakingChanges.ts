import { Supergraph } from '@apollo/federation-internals';
import { BreakingChangeType, findBreakingChanges, type GraphQLSchema } from 'graphql';

/** The client-facing API of a composed supergraph. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/**
 * What would break existing clients going from one supergraph to the next,
 * one sentence each. Clients reach malls through the `Mall` interface, so a
 * mall type appearing or going away is not a break (DESIGN.md): the check
 * must let a mall be added and removed.
 */
export function breakingChanges(before: GraphQLSchema, after: GraphQLSchema): string[] {
  const mallTypes = new Set(
    Object.values(before.getTypeMap())
      .filter((type) => 'getInterfaces' in type && type.getInterfaces().some((i) => i.name === 'Mall'))
      .map((type) => type.name),
  );
  return findBreakingChanges(before, after)
    .filter((change) => !(isMallRemoval(change.type) && mallTypes.has(subjectOf(change.description))))
    .map((change) => change.description);
}

function isMallRemoval(type: BreakingChangeType): boolean {
  return type === BreakingChangeType.TYPE_REMOVED || type === BreakingChangeType.TYPE_REMOVED_FROM_UNION;
}

/** graphql-js descriptions start with the type they are about: "HanbitMall was removed." */
function subjectOf(description: string): string {
  return description.split(/[\s.]/, 1)[0] ?? '';
}
