import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { figure, LimitExceededError } from '../limits/limitExceededError.ts';
import { operationLimitRules, type OperationLimits } from '../limits/operationLimits.ts';
import type { CostCheck } from '../limits/useDemandControl.ts';

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
 * limits as over HTTP: the parser stops past `maxTokens`, graphql's rules
 * run with the depth, alias and directive limits, and `costCheck` (when
 * given) holds it to the max cost (a subscription never reaches Apollo
 * Server, whose validation and demand control apply them over HTTP).
 */
export function createOperationPreparer(limits: OperationLimits, costCheck?: CostCheck): OperationPreparer {
  const rules: ValidationRule[] = [...specifiedRules, ...operationLimitRules(limits)];
  const parseOptions = limits.maxTokens > 0 ? { maxTokens: limits.maxTokens } : {};
  const prepare: OperationPreparer = (schema, request) => {
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
    const operation = getOperationAST(document, request.operationName);
    const refused = operation && costCheck ? costCheck({ schema, document, operation, variables: request.variables }) : null;
    if (refused) return [refused];
    return { schema, document, operationName: request.operationName ?? null, variableValues: request.variables ?? null };
  };
  return (schema, request) => {
    const prepared = prepare(schema, request);
    return 'document' in prepared ? prepared : prepared.map(withoutHttpStatus);
  };
}

/** `extensions.http` sets Apollo Server's status code; over a stream it means nothing, so the client is not shown it. */
function withoutHttpStatus(error: GraphQLError): GraphQLError {
  if (!('http' in error.extensions)) return error;
  const extensions = { ...error.extensions };
  delete extensions.http;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}
