import { GraphQLError } from 'graphql';

export const MAX_KEYWORD_LENGTH = 100;
export const MAX_FIRST = 50;

/**
 * Characters no shopper types and no site can search for: controls (C0, C1
 * such as U+0085), format characters (zero-width, bidi overrides, U+FEFF),
 * private use, line and paragraph separators, and lone surrogates (which
 * `encodeURIComponent` throws on). Unassigned code points pass: a newer
 * Unicode may have given them a meaning (new emoji) that this Node's data lacks.
 */
const REFUSED_CHARACTER = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Rejects a search the site should never see, before anything is crawled. */
export function validateSearchInput(keyword: string, first: number): void {
  const trimmed = keyword.trim();
  if (trimmed.length === 0) {
    throw badInput('keyword must not be empty', 'keyword');
  }
  // Counted in code points, as a shopper counts: one emoji is one character, not two UTF-16 units.
  const length = [...trimmed].length;
  if (length > MAX_KEYWORD_LENGTH) {
    throw badInput(`keyword must be at most ${MAX_KEYWORD_LENGTH} characters, got ${length}`, 'keyword');
  }
  const refused = REFUSED_CHARACTER.exec(trimmed);
  if (refused) {
    // Position in the keyword as sent, counted in characters from 1.
    const leading = keyword.length - keyword.trimStart().length;
    const position = [...keyword.slice(0, leading + refused.index)].length + 1;
    throw badInput(refusedCharacterMessage(refused[0], position), 'keyword');
  }
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw badInput(`first must be between 1 and ${MAX_FIRST}, got ${first}`, 'first');
  }
}

function refusedCharacterMessage(character: string, position: number): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const name = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
    return `keyword has a lone surrogate ${name} at character ${position}; send well-formed Unicode text`;
  }
  return `keyword must not contain control characters or invisible formatting; found ${name} at character ${position}`;
}

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argumentName: argument } });
}
