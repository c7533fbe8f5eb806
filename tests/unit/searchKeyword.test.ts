import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { validateSearchInput } from '../../subgraphs/malls/kit/validateSearchInput.ts';

/** The BAD_USER_INPUT message a keyword is refused with, or null when it passes. */
function refusal(keyword: string): string | null {
  try {
    validateSearchInput(keyword, 10);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'keyword' });
    return (error as GraphQLError).message;
  }
}

describe('search keywords', () => {
  it.each([
    ['next line U+0085', 'ab\u0085c', 'U+0085 at character 3'],
    ['zero-width space', 'air\u200Bpods', 'U+200B at character 4'],
    ['zero-width non-joiner', 'a\u200Cb', 'U+200C at character 2'],
    ['zero-width joiner', 'a\u200Db', 'U+200D at character 2'],
    ['word joiner', 'a\u2060b', 'U+2060 at character 2'],
    ['byte order mark inside', 'a\uFEFFb', 'U+FEFF at character 2'],
    ['right-to-left override', 'ipad\u202Epro', 'U+202E at character 5'],
    ['left-to-right embedding', '\u202Aipad', 'U+202A at character 1'],
    ['first strong isolate', 'ipad\u2068', 'U+2068 at character 5'],
    ['pop directional isolate', 'x\u2069', 'U+2069 at character 2'],
    ['tab inside', 'air\tpods', 'U+0009 at character 4'],
    ['private use character', 'a\uE000', 'U+E000 at character 2'],
    ['line separator', 'a\u2028b', 'U+2028 at character 2'],
  ])('refuses a %s, naming it and where it is', (_name, keyword, where) => {
    expect(refusal(keyword)).toBe(`keyword must not contain control characters or invisible formatting; found ${where}`);
  });

  it('counts positions in characters of the keyword as sent, emoji as one', () => {
    expect(refusal('  😀😀\u200B')).toMatch(/U\+200B at character 5$/);
  });

  it('refuses a lone surrogate instead of passing it to the crawler', () => {
    expect(refusal('ab\uD800')).toBe('keyword has a lone surrogate U+D800 at character 3; send well-formed Unicode text');
    expect(refusal('\uDC00ab')).toBe('keyword has a lone surrogate U+DC00 at character 1; send well-formed Unicode text');
  });

  it('counts length in characters, so 100 emoji pass and 101 do not', () => {
    expect(refusal('😀'.repeat(100))).toBeNull();
    expect(refusal('😀'.repeat(101))).toBe('keyword must be at most 100 characters, got 101');
    expect(refusal(`  ${'가'.repeat(100)}  `)).toBeNull();
  });

  it('still accepts ordinary keywords in any script, with surrounding spaces', () => {
    for (const keyword of ['에어팟 프로', ' iPad Pro ', 'café crème', 'ＡＢＣ　全角', 'Ω-3 😀']) expect(refusal(keyword)).toBeNull();
  });
});
