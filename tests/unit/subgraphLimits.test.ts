import { describe, expect, it } from 'vitest';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { checkSubgraphLimits, SUBGRAPH_LIMITS } from '../../registry/evaluate/checkSubgraphLimits.ts';
import { evaluateWithinLimits } from '../../registry/evaluate/evaluateWithinLimits.ts';
import { largestSdl } from '../support/largestSdl.ts';

const chain = (length: number) =>
  ['type Query { a1: A1 }', ...Array.from({ length }, (_, i) => `type A${i + 1} { a: ${i + 1 < length ? `A${i + 2}` : 'String'} }`)].join('\n');
const types = (count: number) => ['type Query { t0: T0 }', ...Array.from({ length: count - 1 }, (_, i) => `type T${i} { f: String }`)].join('\n');
const errorOf = (sdl: string) => checkSubgraphLimits('team', sdl).error;

describe('the publish limits', () => {
  it('let every subgraph in this repository through, and the largest allowed one', () => {
    for (const subgraph of readSupergraphConfig('supergraph.yaml')) expect(checkSubgraphLimits(subgraph.name, subgraph.sdl).error).toBeNull();
    expect(checkSubgraphLimits('largest', largestSdl()).error).toBeNull();
  });

  it('refuse a 1 MB reference chain without recursing through it', () => {
    let sdl = chain(45_000);
    expect(Buffer.byteLength(sdl)).toBeGreaterThan(1_000_000);
    sdl = sdl.slice(0, sdl.lastIndexOf('type ', 1024 * 1024)) + 'type End { a: String }';
    expect(errorOf(sdl)).toMatch(/^subgraph "team" has \d+ lexical tokens; a subgraph may have at most 60000/);
    // Within the token limit, the chain's depth is what is refused.
    expect(errorOf(chain(SUBGRAPH_LIMITS.referenceDepth + 5))).toBe(
      'subgraph "team" chains types through fields 37 levels deep; a subgraph may chain them at most 32 deep (split it into several subgraphs or trim it)',
    );
    expect(errorOf(chain(SUBGRAPH_LIMITS.referenceDepth))).toBeNull();
  });

  it('name each limit and the figure', () => {
    expect(errorOf(types(251))).toBe('subgraph "team" declares 251 types; a subgraph may declare at most 250 (split it into several subgraphs or trim it)');
    const wide = `type Query { ${Array.from({ length: 201 }, (_, i) => `f${i}: String`).join(' ')} }`;
    expect(errorOf(wide)).toMatch(/gives type Query 201 fields; a type may have at most 200/);
    const manyArguments = `type Query { f(${Array.from({ length: 33 }, (_, i) => `a${i}: Int`).join(', ')}): String }`;
    expect(errorOf(manyArguments)).toMatch(/gives Query.f 33 arguments; a field may have at most 32/);
    const nested = `type Query { f(a: ${'['.repeat(20)}Int${']'.repeat(20)}): Int }`;
    expect(errorOf(nested)).toMatch(/nests brackets 22 deep; a subgraph may nest them at most 16 deep/);
    // A parser bomb is counted by the lexer, never parsed: no stack overflow.
    expect(errorOf(`type Query { f(a: ${'['.repeat(200_000)}Int): Int }`)).toMatch(/lexical tokens/);
    expect(errorOf('type Query {')).toBeNull(); // composition reports the syntax error
  });

  it('refuse a change that takes the supergraph past its totals, but let one that shrinks it through', () => {
    const subgraphs = ['one', 'two', 'three', 'four'].map((name, i) => ({ name, url: `http://127.0.0.1:${i + 1}/graphql`, sdl: largestSdl(name) }));
    const fifth = { name: 'five', url: 'http://127.0.0.1:5/graphql', sdl: largestSdl('five') };
    const verdict = evaluateWithinLimits({ subgraphs, supergraphSdl: null }, { action: 'publish', subgraph: fifth }, true);
    expect(verdict).toEqual({
      ok: false,
      reason: 'limits',
      errors: ['with subgraph "five" the supergraph would have 1250 types; it may have at most 1200 (trim this or another subgraph)'],
    });
  });
});
