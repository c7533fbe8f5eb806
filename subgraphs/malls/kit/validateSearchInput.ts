import { GraphQLError } from 'graphql';

export const MAX_KEYWORD_LENGTH = 100;
export const MAX_FIRST = 50;

/** Rejects a search the site should never see, before anything is crawled. */
export function validateSearchInput(keyword: string, first: number): void {
  const trimmed = keyword.trim();
  if (trimmed.length === 0) {
    throw badInput('keyword must not be empty', 'keyword');
  }
  if (trimmed.length > MAX_KEYWORD_LENGTH) {
    throw badInput(`keyword must be at most ${MAX_KEYWORD_LENGTH} characters, got ${trimmed.length}`, 'keyword');
  }
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw badInput('keyword must not contain control characters', 'keyword');
  }
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw badInput(`first must be between 1 and ${MAX_FIRST}, got ${first}`, 'first');
  }
}

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argumentName: argument } });
}
