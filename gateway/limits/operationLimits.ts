import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

export interface OperationLimits {
  /** Aliases per operation: each aliased `search` would be another crawl of every mall. */
  maxAliases: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = { maxAliases: 10 };

/**
 * Validation rules that refuse an abusive operation before anything is
 * planned or crawled. (No depth limit yet: the schema has no recursive type.)
 */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  const aliases = maxAliasesRule({
    n: limits.maxAliases,
    // Reported as a validation error (400) instead of thrown (500).
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null) =>
        context?.reportError(
          new GraphQLError(`the operation uses more than ${limits.maxAliases} aliases; split it into several requests`),
        ),
    ],
  });
  // graphql-armor types its visitor as a class rather than graphql's ASTVisitor.
  return [aliases as unknown as ValidationRule];
}
