import { buildSchema, getOperationAST, Kind, parse, type FragmentDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCost } from '../../gateway/limits/operationCost.ts';
import { readCostDirectives } from '../../gateway/limits/readCostDirectives.ts';

const SCHEMA = `
schema @link(url: "https://specs.apollo.dev/cost/v0.1", as: "demand", import: [{ name: "@listSize", as: "@size" }]) { query: Query mutation: Mutation }
directive @link(url: String, as: String, import: [link__Import]) repeatable on SCHEMA
directive @demand(weight: Int!) on FIELD_DEFINITION | OBJECT | ARGUMENT_DEFINITION
directive @size(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!]) on FIELD_DEFINITION
scalar link__Import
interface Mall { id: ID! search(first: Int = 20): Search }
type A implements Mall { id: ID! search(first: Int = 20): Search @size(slicingArguments: ["first"], sizedFields: ["offers"]) }
type B implements Mall { id: ID! search(first: Int = 20): Search deals: [Offer!]! @size(assumedSize: 50) }
type Search { offers: [Offer!]! }
type Offer @demand(weight: 2) { title: String }
type Query { malls: [Mall!]! mall(id: ID!): Mall a: A }
type Mutation { buy(id: ID! @demand(weight: 5)): Offer }
`;
const schema = buildSchema(SCHEMA);
const directives = readCostDirectives(SCHEMA);

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return operationCost({ schema, operation: getOperationAST(document)!, fragments, variables, directives, defaultListSize: 10 });
}

describe('operation cost', () => {
  it("follows @link's renames of the cost spec's directives", () => {
    expect(directives.typeWeight.get('Offer')).toBe(2);
    expect(directives.listSize.get('A.search')).toEqual({ assumedSize: undefined, slicingArguments: ['first'], sizedFields: ['offers'] });
    // a: 1, search: 1, 20 offers (the argument's default) at 2 each.
    expect(cost('{ a { search { offers { title } } } }')).toBe(42);
    expect(cost('{ a { search(first: 5) { offers { title } } } }')).toBe(12);
  });

  it('counts the dearest concrete type where a selection splits, and a fragment spread as its selection', () => {
    // Each of 10 malls: 1 + max(A: 1 + 3 × 2, B: 50 deals × 2) = 101.
    expect(cost('{ malls { ... on A { search(first: 3) { offers { title } } } ... on B { deals { title } } } }')).toBe(1010);
    expect(cost('fragment F on B { deals { title } } { malls { ...F ...F } }')).toBe(10 * (1 + 200));
  });

  it('skips what @skip or @include leaves out', () => {
    expect(cost('query ($no: Boolean!) { a @include(if: $no) { id } mall(id: "x") { id } }', { no: false })).toBe(1);
  });

  it("adds a mutation's base cost and a given argument's @cost", () => {
    expect(cost('mutation { buy(id: "1") { title } }')).toBe(10 + 5 + 2);
  });
});
