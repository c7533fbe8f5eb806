import { parse, validate, type GraphQLSchema } from 'graphql';

/** What `validate` says of one operation against an API schema: nothing when it would run. */
export function operationErrors(schema: GraphQLSchema, body: string): string[] {
  try {
    return validate(schema, parse(body, { noLocation: true }), undefined, { maxErrors: 5 }).map((error) => error.message);
  } catch (error) {
    return [(error as Error).message];
  }
}

/**
 * The operations of a manifest that would not run on `schema`, one sentence
 * each naming the operation: a manifest is refused on the first of them.
 */
export function invalidOperations(schema: GraphQLSchema, operations: ReadonlyArray<{ name: string | null; id: string; body: string }>): string[] {
  const refusals: string[] = [];
  for (const operation of operations) {
    const errors = operationErrors(schema, operation.body);
    if (errors.length > 0)
      refusals.push(
        `operation ${operation.name ? `"${operation.name}"` : operation.id.slice(0, 12)} does not validate against the current supergraph: ${errors.join(' ')}`,
      );
  }
  return refusals;
}
