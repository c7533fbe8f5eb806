import { GraphQLError } from 'graphql';

/** Before the first supergraph is loaded there is no schema to check an operation against. */
export function notReady(): GraphQLError {
  return new GraphQLError('the gateway has no supergraph yet; retry shortly', { extensions: { code: 'NOT_READY' } });
}
