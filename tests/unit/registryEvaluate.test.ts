import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { evaluateChange } from '../../registry/evaluate/evaluateChange.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';

const subgraphs = readSupergraphConfig('supergraph.yaml');
const composed = composeSupergraph(subgraphs);
if (!composed.ok) throw new Error(composed.errors.join('; '));
const current = { subgraphs, supergraphSdl: composed.supergraphSdl };
const catalog = subgraphs.find((s) => s.name === 'catalog')!;
const outlet = { name: 'outlet', url: 'http://127.0.0.1:4014/graphql', sdl: mallSdl({ id: 'outlet', name: '아울렛', homepage: 'http://outlet.example/' }) };

describe('a registry change', () => {
  it('adds a mall without breaking anyone, and the directory lists it', () => {
    const verdict = evaluateChange(current, { action: 'publish', subgraph: outlet }, false);
    expect(verdict).toMatchObject({ ok: true, breaking: [] });
    expect(verdict.ok && verdict.malls.sort()).toEqual(['daehan', 'hanbit', 'outlet', 'sejong']);
  });

  it('removes a mall without breaking anyone: clients reach malls through the Mall interface', () => {
    const verdict = evaluateChange(current, { action: 'delete', name: 'hanbit' }, false);
    expect(verdict).toMatchObject({ ok: true, breaking: [] });
    expect(verdict.ok && verdict.malls.sort()).toEqual(['daehan', 'sejong']);
  });

  it('refuses removing a field clients may use, unless breaking is allowed', () => {
    const withoutBrand = { ...catalog, sdl: catalog.sdl.replace(/^\s*brand: String!\n/m, '') };
    expect(withoutBrand.sdl).not.toEqual(catalog.sdl);
    const refused = evaluateChange(current, { action: 'publish', subgraph: withoutBrand }, false);
    expect(refused).toEqual({ ok: false, reason: 'breaking', breaking: ['Product.brand was removed.'] });
    expect(evaluateChange(current, { action: 'publish', subgraph: withoutBrand }, true)).toMatchObject({ ok: true, breaking: ['Product.brand was removed.'] });
  });

  it('refuses a changed argument type and a changed field type', () => {
    const changed = {
      ...catalog,
      sdl: catalog.sdl.replace('product(id: ID!): Product', 'product(id: Int!): Product').replace('listPrice: Int!', 'listPrice: String!'),
    };
    const verdict = evaluateChange(current, { action: 'publish', subgraph: changed }, false);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason === 'breaking' && verdict.breaking).toEqual([
      'Product.listPrice changed type from Int! to String!.',
      'Query.product arg id has changed type from ID! to Int!.',
    ]);
  });

  it('refuses a subgraph that conflicts with an existing type, listing every composition error', () => {
    const rival = {
      name: 'rival',
      url: 'http://127.0.0.1:9999/graphql',
      sdl: 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Product @key(fields: "id") { id: Int! }\ntype Query { rival: Product }',
    };
    const verdict = evaluateChange(current, { action: 'publish', subgraph: rival }, true);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toBe('composition');
    expect(!verdict.ok && 'errors' in verdict && verdict.errors.join('\n')).toMatch(/Product\.id/);
  });

  it('refuses an SDL that does not parse, a second copy of a mall, an unknown delete and an empty supergraph', () => {
    expect(evaluateChange(current, { action: 'publish', subgraph: { ...outlet, sdl: 'type Query {' } }, false)).toMatchObject({
      ok: false,
      reason: 'composition',
      errors: [expect.stringMatching(/^subgraph "outlet": invalid SDL/)],
    });
    const copy = { ...outlet, name: 'hanbit-copy', sdl: subgraphs.find((s) => s.name === 'hanbit')!.sdl };
    expect(evaluateChange(current, { action: 'publish', subgraph: copy }, true)).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/mall "hanbit" .* more than one subgraph/)],
    });
    expect(evaluateChange(current, { action: 'delete', name: 'nowhere' }, true)).toEqual({
      ok: false,
      reason: 'unknown-subgraph',
      errors: ['no subgraph named "nowhere" is published'],
    });
    expect(evaluateChange({ subgraphs: [catalog], supergraphSdl: null }, { action: 'delete', name: 'catalog' }, true)).toMatchObject({
      ok: false,
      reason: 'composition',
    });
  });
});
