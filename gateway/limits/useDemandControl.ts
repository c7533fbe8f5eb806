import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, Kind, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import { figure, LimitExceededError } from './limitExceededError.ts';
import { operationCost } from './operationCost.ts';
import { readCostDirectives, type CostDirectives } from './readCostDirectives.ts';

export interface DemandControlOptions {
  /** Largest estimated cost served; 0 turns the check off. */
  maxCost: number;
  /** Items a list is taken to hold when neither `@listSize` nor a slicing argument says. */
  defaultListSize: number;
  /** The supergraph SDL the API schema was built from, where `@cost` and `@listSize` are. */
  supergraphSdlOf(schema: GraphQLSchema): string | null;
}

/**
 * Refuses an operation whose estimated cost (operationCost.ts) is over the
 * limit once its variables are known, before it is planned or any subgraph
 * is called: COST_LIMIT_EXCEEDED, 400, with the figure.
 */
export function useDemandControl(options: DemandControlOptions): ApolloServerPlugin {
  const bySchema = new WeakMap<GraphQLSchema, CostDirectives>();
  const directivesOf = (schema: GraphQLSchema): CostDirectives => {
    let directives = bySchema.get(schema);
    if (!directives) {
      const sdl = options.supergraphSdlOf(schema);
      directives = readCostDirectives(sdl ?? '');
      bySchema.set(schema, directives);
    }
    return directives;
  };
  if (options.maxCost <= 0) return {};
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 1 });
          // Variables that do not coerce fail the operation at execution, before any subgraph is called.
          if ('errors' in coerced && coerced.errors) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          const cost = operationCost({
            schema,
            operation,
            fragments,
            variables: coerced.coerced,
            directives: directivesOf(schema),
            defaultListSize: options.defaultListSize,
          });
          if (cost > options.maxCost) {
            throw new LimitExceededError(
              'COST_LIMIT_EXCEEDED',
              `the operation's estimated cost ${figure(cost)} is over the limit of ${figure(options.maxCost)}; ask for fewer items (first:) or fewer fields`,
            );
          }
        },
      };
    },
  };
}
