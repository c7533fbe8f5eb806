import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import type { ChangeScope } from '../../registry/evaluate/checkOwnership.ts';
import { evaluateChange, type Verdict } from '../../registry/evaluate/evaluateChange.ts';
import { nameRefusal, ownershipOf } from '../../registry/evaluate/subgraphOwnership.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';

const subgraphs = readSupergraphConfig('supergraph.yaml');
const composed = composeSupergraph(subgraphs);
if (!composed.ok) throw new Error(composed.errors.join('; '));
const current = { subgraphs, supergraphSdl: composed.supergraphSdl };
const team: ChangeScope = { kind: 'team', team: 'rt', contributes: [] };
const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@override", "@requires", "@provides", "@external", "@interfaceObject"])';

const publish = (sdl: string, scope: ChangeScope = team, name = 'rtevil'): Verdict =>
  evaluateChange(current, { action: 'publish', subgraph: { name, url: 'http://127.0.0.1:4999/graphql', sdl } }, true, scope);

const refusal = (verdict: Verdict): string => {
  expect(verdict.ok).toBe(false);
  expect(verdict, JSON.stringify(verdict).slice(0, 1500)).toMatchObject({ reason: 'ownership' });
  return !verdict.ok && 'errors' in verdict ? verdict.errors.join('\n') : '';
};

const outlet = mallSdl({ id: 'outlet', name: '아울렛', homepage: 'http://127.0.0.1:4999/' });

describe('what a team token may publish', () => {
  it('a mall of its own: its mall type and the shared mall types as schema/mall.graphql has them', () => {
    expect(publish(outlet, team, 'outlet')).toMatchObject({ ok: true });
  });

  it("not a takeover of another subgraph's field with @override (the token-harvesting attack)", () => {
    const errors = refusal(publish(`${LINK}\ntype Query { me: User @override(from: "approval") }\ntype User @key(fields: "id") { id: ID! }`));
    expect(errors).toMatch(/field Query\.me belongs to approval; rtevil may not take it over/);
    expect(errors).toMatch(/type User is not rtevil's to contribute \(it belongs to approval\)/);
  });

  it('not a new root field', () => {
    expect(refusal(publish(`${LINK}\ntype Query { rtEvil: String }`))).toMatch(
      /field Query\.rtEvil is not rtevil's to contribute; team rt's token allows its own mall type/,
    );
  });

  it("not a @shareable redefinition of another subgraph's entity key", () => {
    const errors = refusal(publish(`${LINK}\ntype Product @key(fields: "id") { id: ID! @shareable }`));
    expect(errors).toMatch(/type Product must be declared exactly as schema\/mall.graphql has it \(key: model, resolvable: false\), not with \(key: id\)/);
    expect(errors).toMatch(/field Product\.id is not rtevil's to contribute \(it belongs to catalog\)/);
  });

  it("not an entity key on another team's type", () => {
    expect(refusal(publish(`${LINK}\ntype User @key(fields: "id") { id: ID! }`))).toMatch(/type User is not rtevil's to contribute \(it belongs to approval\)/);
  });

  it('not @interfaceObject onto an entity interface another subgraph owns', () => {
    const owner = {
      name: 'places',
      url: 'http://127.0.0.1:4998/graphql',
      sdl: `${LINK}\ninterface Place @key(fields: "id") { id: ID! }\ntype Shop implements Place @key(fields: "id") { id: ID! }\ntype Query { places: [Place!]! }`,
    };
    const withOwner = composeSupergraph([...subgraphs, owner]);
    if (!withOwner.ok) throw new Error(withOwner.errors.join('; '));
    const verdict = evaluateChange(
      { subgraphs: [...subgraphs, owner], supergraphSdl: withOwner.supergraphSdl },
      {
        action: 'publish',
        subgraph: {
          name: 'rtevil',
          url: 'http://127.0.0.1:4999/graphql',
          sdl: `${LINK}\ntype Place @key(fields: "id") @interfaceObject { id: ID! rtSecret: String }`,
        },
      },
      true,
      team,
    );
    const errors = refusal(verdict);
    expect(errors).toMatch(/type Place is not rtevil's to contribute \(it belongs to places\)/);
    expect(errors).toMatch(/field Place\.rtSecret is not rtevil's to contribute/);
  });

  it("not @requires into another subgraph's type", () => {
    const errors = refusal(publish(`${LINK}\ntype Product @key(fields: "id") { id: ID! name: String! @external rtCopy: String @requires(fields: "name") }`));
    expect(errors).toMatch(/field Product\.rtCopy is not rtevil's to contribute/);
    expect(errors).toMatch(/field Product\.name must be declared exactly as schema\/mall.graphql has it|field Product\.name is not rtevil's/);
  });

  it("not @provides through its offers into the catalog's Product (composition or ownership refuses it)", () => {
    const sneaky = outlet
      .replace('import: ["@key", "@shareable", "@composeDirective"]', 'import: ["@key", "@shareable", "@composeDirective", "@provides", "@external"]')
      .replace('product: Product', 'product: Product @provides(fields: "name")')
      .replace(
        'type Product @key(fields: "model", resolvable: false) {\n  model: String!',
        'type Product @key(fields: "model", resolvable: false) {\n  model: String!\n  name: String! @external',
      );
    expect(sneaky).toContain('@provides(fields: "name")');
    const verdict = publish(sneaky, team, 'outlet');
    expect(verdict.ok).toBe(false);
    expect(JSON.stringify(verdict)).toMatch(/Product\.name/);
  });

  it('not an extra field on a shared mall type, even as the only mall', () => {
    const withoutMalls = subgraphs.filter((s) => !['hanbit', 'daehan', 'sejong'].includes(s.name));
    const base = composeSupergraph(withoutMalls);
    if (!base.ok) throw new Error(base.errors.join('; '));
    const extended = outlet.replace('  imageUrl: String\n', '  imageUrl: String\n  secret: String\n');
    const verdict = evaluateChange(
      { subgraphs: withoutMalls, supergraphSdl: base.supergraphSdl },
      { action: 'publish', subgraph: { name: 'outlet', url: 'http://127.0.0.1:4999/graphql', sdl: extended } },
      true,
      team,
    );
    expect(refusal(verdict)).toMatch(/field Offer\.secret is not outlet's to contribute/);
  });

  it("not another team's mall type", () => {
    const hanbit = mallSdl({ id: 'hanbit', name: 'x', homepage: 'http://127.0.0.1:4999/' });
    expect(publish(hanbit, team, 'outlet').ok).toBe(false);
  });

  it("an admin-granted coordinate, and still nothing that moves another subgraph's field", () => {
    const granted: ChangeScope = { kind: 'team', team: 'rt', contributes: ['Query.rtReviews', 'Review'] };
    expect(publish(`${LINK}\ntype Review { id: ID! stars: Int! }\ntype Query { rtReviews: [Review!]! }`, granted)).toMatchObject({ ok: true });
    const errors = refusal(
      publish(
        `${LINK}\ntype Review { id: ID! }\ntype Query { rtReviews: [Review!]! me: User @override(from: "approval") }\ntype User @key(fields: "id") { id: ID! }`,
        granted,
      ),
    );
    expect(errors).toMatch(/field Query\.me belongs to approval/);
  });

  it('while the admin token may change anything', () => {
    expect(publish(`${LINK}\ntype Query { me: User @override(from: "approval") }\ntype User @key(fields: "id") { id: ID! }`, { kind: 'admin' })).toMatchObject({
      ok: true,
    });
  });
});

describe('which existing subgraphs a team may change', () => {
  const scope: ChangeScope = { kind: 'team', team: 'outlet-team', contributes: [] };

  it('its own, and a mall the admin published (handing it over), but no service of the admin and nothing of another team', () => {
    expect(nameRefusal(undefined, scope)).toBeNull();
    expect(nameRefusal({ name: 'outlet', owner: 'outlet-team', kind: 'mall' }, scope)).toBeNull();
    expect(nameRefusal({ name: 'hanbit', owner: 'admin', kind: 'mall' }, scope)).toBeNull();
    expect(nameRefusal({ name: 'approval', owner: 'admin', kind: 'service' }, scope)).toBe(
      'subgraph "approval" is the admin\'s service; team outlet-team may not change it (only the admin token can)',
    );
    expect(nameRefusal({ name: 'sejong', owner: 'sejong-team', kind: 'mall' }, scope)).toMatch(
      /is team sejong-team's mall; team outlet-team may not change it/,
    );
    expect(nameRefusal({ name: 'approval', owner: 'admin', kind: 'service' }, { kind: 'admin' })).toBeNull();
  });

  it('records a mall team as owner of a mall, and a granted team or the admin as owner of a service', () => {
    expect(ownershipOf(outlet, scope)).toEqual({ owner: 'outlet-team', kind: 'mall' });
    expect(ownershipOf(`${LINK}\ntype Query { reviews: [String!]! }`, { kind: 'team', team: 'reviews', contributes: ['Query.reviews'] })).toEqual({
      owner: 'reviews',
      kind: 'service',
    });
    expect(ownershipOf(subgraphs.find((s) => s.name === 'catalog')!.sdl, { kind: 'admin' })).toEqual({ owner: 'admin', kind: 'service' });
  });
});
