import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ErrorFormatter } from '../../lib/errors/createErrorMasker.ts';

export type LimitCode = 'COST_LIMIT_EXCEEDED' | 'DEPTH_LIMIT_EXCEEDED' | 'TOKEN_LIMIT_EXCEEDED' | 'ALIAS_LIMIT_EXCEEDED' | 'DIRECTIVE_LIMIT_EXCEEDED';

/** An operation refused for its size before anything is planned; 400 with its own code. */
export class LimitExceededError extends GraphQLError {
  constructor(code: LimitCode, message: string) {
    super(message, { extensions: { code, http: { status: 400 } } });
  }
}

/** "1,240": figures as an operator reads them. */
export const figure = (n: number): string => n.toLocaleString('en-US');

/** graphql-js's own words when `parse(…, { maxTokens })` gives up (16.x writes "more that"). */
const TOKENS_ABORTED = /^Syntax Error: Document contains more th[ae][nt] (\d+) tokens\. Parsing aborted\.$/;

/**
 * Apollo Server stamps every validation error GRAPHQL_VALIDATION_FAILED and
 * every parse error GRAPHQL_PARSE_FAILED, whatever the rule said; this puts a
 * limit's own code back (and words graphql's token abort as ours) before
 * `next` formats the error.
 */
export function withLimitCodes(next: ErrorFormatter): ErrorFormatter {
  return (formatted, error) => next(restoreLimitCode(formatted, error), error);
}

function restoreLimitCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (original instanceof LimitExceededError) {
    return { ...formatted, message: original.message, extensions: { ...formatted.extensions, code: original.extensions.code } };
  }
  const tokens = TOKENS_ABORTED.exec(formatted.message);
  if (tokens && formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED') {
    const limit = figure(Number(tokens[1]));
    return {
      message: `the operation has more than ${limit} tokens, over the limit of ${limit}; send a smaller document`,
      extensions: { ...formatted.extensions, code: 'TOKEN_LIMIT_EXCEEDED' },
    };
  }
  return formatted;
}
