import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Kind, OperationTypeNode } from 'graphql';

/** A subgraph operation's text that reads: `{ … }` or `query …`, never `mutation` or `subscription`. */
const READ_ONLY_OPERATION = /^\s*(?:\{|query\b)/;

/**
 * May this subgraph fetch share an identical one in flight? Only a read
 * made for a client's query: not a health check, nothing from a mutation's
 * plan (its later fetches read what the mutation wrote, so they must not
 * join a read begun before it), nor anything whose operation is unknown.
 */
export function isShareableFetch(options: GraphQLDataSourceProcessOptions): boolean {
  if (!('incomingRequestContext' in options)) return false;
  const incoming = options.incomingRequestContext.operation?.operation;
  if (incoming !== OperationTypeNode.QUERY) return false;
  const fetchOperation = options.document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (fetchOperation) return fetchOperation.operation === OperationTypeNode.QUERY;
  return READ_ONLY_OPERATION.test(options.request.query ?? '');
}
