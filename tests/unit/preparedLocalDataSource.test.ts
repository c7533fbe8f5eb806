import { LocalGraphQLDataSource } from '@apollo/gateway';
import { GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createPreparedLocalDataSource } from '../../gateway/directory/createPreparedLocalDataSource.ts';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      greet: {
        type: GraphQLString,
        args: { name: { type: new GraphQLNonNull(GraphQLString) } },
        resolve: (_root, args: { name: string }) => `hello ${args.name}`,
      },
    },
  }),
});
const sources = { apollo: new LocalGraphQLDataSource(schema), prepared: createPreparedLocalDataSource(schema) };

async function ask(source: keyof typeof sources, query: string, variables?: Record<string, unknown>) {
  const response = await sources[source].process({
    kind: 'UNKNOWN' as never,
    request: { query, variables },
    context: {},
  });
  return JSON.parse(JSON.stringify(response)) as unknown;
}

describe('a subgraph served inside the gateway', () => {
  it('answers each request with its own variables when the operation is prepared once', async () => {
    const query = 'query ($name: String!) { greet(name: $name) }';
    expect(await ask('prepared', query, { name: 'a' })).toEqual({ data: { greet: 'hello a' } });
    expect(await ask('prepared', query, { name: 'b' })).toEqual({ data: { greet: 'hello b' } });
  });

  it('gives the same answers and errors as Apollo LocalGraphQLDataSource', async () => {
    for (const [query, variables] of [
      ['{ __typename }', undefined],
      ['query ($name: String!) { greet(name: $name) }', { name: 'x' }],
      ['query ($name: String!) { greet(name: $name) }', {}],
      ['{ nope }', undefined],
      ['{ greet(', undefined],
    ] as const) {
      const twice = [await ask('prepared', query, variables), await ask('prepared', query, variables)];
      expect(twice[0]).toEqual(await ask('apollo', query, variables));
      expect(twice[1]).toEqual(twice[0]);
    }
  });
});
