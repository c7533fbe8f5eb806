import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { operationId } from '../../lib/operations/operationId.ts';
import { evaluateChange } from '../../registry/evaluate/evaluateChange.ts';
import type { KnownOperation } from '../../registry/evaluate/usageCheck.ts';
import { parseManifest } from '../../registry/operations/parseManifest.ts';

const subgraphs = readSupergraphConfig('supergraph.yaml');
const composed = composeSupergraph(subgraphs);
if (!composed.ok) throw new Error(composed.errors.join('; '));
const current = { subgraphs, supergraphSdl: composed.supergraphSdl };
const catalog = subgraphs.find((s) => s.name === 'catalog')!;
const withoutBrand = { ...catalog, sdl: catalog.sdl.replace(/^\s*brand: String!\n/m, '') };
const brandNullable = { ...catalog, sdl: catalog.sdl.replace(/^(\s*)brand: String!\n/m, '$1brand: String\n') };

const known = (name: string, body: string, clients: string[]): KnownOperation => ({ id: operationId(body), name, body, clients });
const productName = known('ProductName', 'query ProductName($id: ID!) { product(id: $id) { id name } }', ['mobile-ios 3.2.0 (manifest)']);
const productBrand = known('ProductBrand', 'query ProductBrand($id: ID!) { product(id: $id) { brand } }', [
  'web (served 12 times, last 2026-11-29T00:00:00.000Z)',
]);

describe('usage-based schema checks', () => {
  it('refuses a change that breaks a known operation, naming it and its client', () => {
    const verdict = evaluateChange(current, { action: 'publish', subgraph: withoutBrand }, false, { kind: 'admin' }, [productName, productBrand]);
    expect(verdict.ok).toBe(false);
    const errors = !verdict.ok && verdict.reason === 'breaking' ? verdict.breaking : [];
    expect(errors[0]).toMatch(/^operation "ProductBrand" of web \(served 12 times.*would break: Cannot query field "brand" on type "Product"/);
    expect(errors).toContain('type rules: Product.brand was removed.');
  });

  it('accepts a change breaking by type rules that no known operation uses, and says so', () => {
    const verdict = evaluateChange(current, { action: 'publish', subgraph: withoutBrand }, false, { kind: 'admin' }, [productName]);
    expect(verdict).toMatchObject({ ok: true, breaking: ['Product.brand was removed.'] });
    expect(verdict.ok && verdict.note).toMatch(/none of the 1 operation\(s\).*accepted without allowBreaking/);
  });

  it('counts an operation reading a field whose type changed, though it still validates', () => {
    const verdict = evaluateChange(current, { action: 'publish', subgraph: brandNullable }, false, { kind: 'admin' }, [productName, productBrand]);
    expect(!verdict.ok && verdict.reason === 'breaking' && verdict.breaking[0]).toMatch(
      /^operation "ProductBrand" .* would break: Product\.brand changed type from String! to String\./,
    );
  });

  it('leaves the type rules to decide when no operation is known, or none are given', () => {
    expect(evaluateChange(current, { action: 'publish', subgraph: withoutBrand }, false, { kind: 'admin' }, [])).toEqual({
      ok: false,
      reason: 'breaking',
      breaking: ['Product.brand was removed.'],
    });
    expect(evaluateChange(current, { action: 'publish', subgraph: withoutBrand }, false)).toEqual({
      ok: false,
      reason: 'breaking',
      breaking: ['Product.brand was removed.'],
    });
  });
});

describe('persisted query manifests', () => {
  const body = 'query Items { products(first: 2) { nodes { id } } }';
  it("reads Apollo's manifest format and a plain { hash: body } map, with or without sha256:", () => {
    const apollo = parseManifest({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: operationId(body), name: 'Items', type: 'query', body }],
    });
    expect(apollo).toEqual({ ok: true, format: 'apollo', operations: [{ id: operationId(body), name: 'Items', type: 'query', body }] });
    expect(parseManifest({ [`sha256:${operationId(body)}`]: body })).toMatchObject({ ok: true, format: 'map', operations: [{ name: 'Items', type: 'query' }] });
  });

  it('refuses an id that is not the sha256 of its body, naming the operation', () => {
    const parsed = parseManifest({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: operationId('other'), name: 'Items', type: 'query', body }],
    });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/^operation "Items": its id .* is not the sha256 of its body \([0-9a-f]{64}\); regenerate the manifest$/);
  });

  it('refuses a body that does not parse, holds two operations, or does not match its entry', () => {
    const bad = (b: string, extra: Record<string, unknown> = {}) =>
      parseManifest({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: operationId(b), body: b, ...extra }] });
    expect(bad('query {')).toMatchObject({ ok: false, error: expect.stringMatching(/does not parse/) });
    expect(bad('query A { a } query B { b }')).toMatchObject({ ok: false, error: expect.stringMatching(/holds 2 operations/) });
    expect(bad(body, { name: 'Other' })).toMatchObject({ ok: false, error: expect.stringMatching(/named "Other" but its body's operation is "Items"/) });
    expect(bad(body, { type: 'mutation' })).toMatchObject({ ok: false, error: expect.stringMatching(/says "mutation" but its body is a query/) });
    expect(parseManifest({ format: 'something-else', version: 1, operations: [] })).toMatchObject({ ok: false });
    expect(parseManifest([])).toMatchObject({ ok: false });
  });
});
