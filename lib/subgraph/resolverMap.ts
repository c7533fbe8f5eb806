// @apollo/subgraph does not re-export its resolver map type from the package root.
export type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
