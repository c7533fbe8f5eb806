import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { figure, LimitExceededError } from '../limits/limitExceededError.ts';
import { operationLimitRules, type OperationLimits } from '../limits/operationLimits.ts';

export interface PreparedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
}

export type OperationPreparer = (
  schema: GraphQLSchema,
  request: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
) => PreparedOperation | readonly GraphQLError[];

/**
 * Parses and validates an operation sent over WebSocket or SSE under the same
 * limits as over HTTP: the parser stops past `maxTokens`, and graphql's rules
 * run with the depth, alias and directive limits (a subscription never
 * reaches Apollo Server, whose validation applies them over HTTP).
 */
export function createOperationPreparer(limits: OperationLimits): OperationPreparer {
  const rules: ValidationRule[] = [...specifiedRules, ...operationLimitRules(limits)];
  const parseOptions = limits.maxTokens > 0 ? { maxTokens: limits.maxTokens } : {};
  return (schema, request) => {
    let document: DocumentNode;
    try {
      document = parse(request.query, parseOptions);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      if (limits.maxTokens > 0 && /tokens\. Parsing aborted\.$/.test(error.message)) {
        const max = figure(limits.maxTokens);
        return [new LimitExceededError('TOKEN_LIMIT_EXCEEDED', `the operation has more than ${max} tokens, over the limit of ${max}; send a smaller document`)];
      }
      return [error];
    }
    const errors = validate(schema, document, rules);
    if (errors.length > 0) return errors;
    return { schema, document, operationName: request.operationName ?? null, variableValues: request.variables ?? null };
  };
}
