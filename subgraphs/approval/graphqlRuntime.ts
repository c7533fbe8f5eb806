import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';

/**
 * The graphql module that @apollo/subgraph, Apollo Server and graphql-ws use:
 * the CommonJS build. Under Node and tsx an ESM `import 'graphql'` resolves to
 * that same file, but vitest hands ESM code the package's `.mjs` build, a
 * second copy whose `validate` rejects our schema ("from another module or
 * realm") and whose GraphQLErrors graphql-ws does not recognise (it then
 * closes the whole socket). Code that hands schemas or errors to those
 * libraries takes graphql from here.
 */
export const graphql = createRequire(import.meta.url)('graphql') as typeof GraphQL;
