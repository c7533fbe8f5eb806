import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import { figure, LimitExceededError, type LimitCode } from './limitExceededError.ts';

/** What one operation may ask for; 0 turns a limit off. */
export interface OperationLimits {
  /** Aliases per operation: each aliased `search` would be another crawl of every mall. */
  maxAliases: number;
  /** Fields nested in fields (fragment spreads count a level, introspection's `__schema` none). */
  maxDepth: number;
  /** Directives per operation, `@skip` and `@include` included. */
  maxDirectives: number;
  /** Lexical tokens in the document; the parser stops past it, so nothing bigger is even parsed. */
  maxTokens: number;
  /** Estimated cost (operationCost.ts); checked before any subgraph is called. */
  maxCost: number;
  /** Items a list is taken to hold when neither `@listSize` nor a slicing argument says. */
  defaultListSize: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxAliases: 10,
  maxDepth: 12,
  maxDirectives: 20,
  maxTokens: 2000,
  maxCost: 5000,
  defaultListSize: 10,
};

/**
 * Validation rules that refuse an abusive operation before anything is
 * planned or crawled: aliases, depth and directives, counted by graphql-armor.
 * (Tokens are counted by the parser, cost once variables are known.)
 */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  const rules: ValidationRule[] = [];
  if (limits.maxAliases > 0) {
    rules.push(
      armorRule(
        maxAliasesRule,
        limits.maxAliases,
        'ALIAS_LIMIT_EXCEEDED',
        (found, max) => `the operation uses ${found} aliases, over the limit of ${max}; split it into several requests`,
      ),
    );
  }
  if (limits.maxDepth > 0) {
    rules.push(
      armorRule(
        maxDepthRule,
        limits.maxDepth,
        'DEPTH_LIMIT_EXCEEDED',
        (found, max) => `the operation is nested ${found} levels deep, over the limit of ${max}; ask for less at once`,
      ),
    );
  }
  if (limits.maxDirectives > 0) {
    rules.push(
      armorRule(
        maxDirectivesRule,
        limits.maxDirectives,
        'DIRECTIVE_LIMIT_EXCEEDED',
        (found, max) => `the operation uses ${found} directives, over the limit of ${max}; remove some`,
      ),
    );
  }
  return rules;
}

interface ArmorOptions {
  n: number;
  exposeLimits: boolean;
  propagateOnRejection: boolean;
  onReject: Array<(context: ValidationContext | null, error: GraphQLError) => void>;
}

/** graphql-armor reports the figure only in its own message ("…exceeded, found 12."); ours says it in a sentence. */
const FOUND = /found (\d+)/;

function armorRule(
  rule: (options: ArmorOptions) => (context: ValidationContext) => unknown,
  max: number,
  code: LimitCode,
  say: (found: string, max: string) => string,
): ValidationRule {
  const armored = rule({
    n: max,
    exposeLimits: true,
    // Reported as a validation error (400) instead of thrown (500).
    propagateOnRejection: false,
    onReject: [
      (context, error) => {
        const found = FOUND.exec(error.message)?.[1];
        context?.reportError(new LimitExceededError(code, say(found === undefined ? `more than ${figure(max)}` : figure(Number(found)), figure(max))));
      },
    ],
  });
  // graphql-armor types its visitor as a class rather than graphql's ASTVisitor.
  return armored as unknown as ValidationRule;
}
