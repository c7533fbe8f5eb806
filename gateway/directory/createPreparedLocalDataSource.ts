import type { GraphQLDataSource } from '@apollo/gateway';
import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

/** Query plans send a handful of distinct operations; the bound only guards against a flood of new ones. */
const PREPARED_LIMIT = 500;

type Prepared = DocumentNode | readonly GraphQLError[];

function prepare(schema: GraphQLSchema, query: string): Prepared {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  const errors = validate(schema, document);
  return errors.length > 0 ? errors : document;
}

/**
 * A subgraph served inside the gateway, as Apollo's LocalGraphQLDataSource
 * does, but each distinct operation is parsed and validated once: the query
 * planner sends the same few operations on every search, and re-parsing them
 * was a sixth of a warm search's CPU.
 */
export function createPreparedLocalDataSource(schema: GraphQLSchema): GraphQLDataSource {
  const prepared = new Map<string, Prepared>();
  return {
    async process({ request, context }) {
      const query = request.query ?? '';
      let entry = prepared.get(query);
      if (entry === undefined) {
        entry = prepare(schema, query);
        if (prepared.size >= PREPARED_LIMIT) prepared.delete(prepared.keys().next().value!);
        prepared.set(query, entry);
      }
      if (!('kind' in entry)) return { errors: [...entry] };
      return execute({ schema, document: entry, variableValues: request.variables, operationName: request.operationName, contextValue: context });
    },
  };
}
