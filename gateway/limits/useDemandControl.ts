import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
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

/** One validated operation, with the variables it was sent with. */
export interface CostedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Readonly<Record<string, unknown>> | null | undefined;
}

/** COST_LIMIT_EXCEEDED with the figures when the operation's estimated cost is over the limit; null when it is not. */
export type CostCheck = (input: CostedOperation) => LimitExceededError | null;

/**
 * The estimated cost (operationCost.ts) against the limit, once the variables
 * are known: shared by Apollo Server's plugin below (HTTP) and the streaming
 * transports (gateway/subscriptions/), so every transport refuses alike.
 */
export function createCostCheck(options: DemandControlOptions): CostCheck {
  const bySchema = new WeakMap<GraphQLSchema, CostDirectives>();
  const directivesOf = (schema: GraphQLSchema): CostDirectives => {
    let directives = bySchema.get(schema);
    if (!directives) {
      const sdl = options.supergraphSdlOf(schema);
      // A schema whose supergraph is gone costs by the defaults alone ('' does not parse).
      directives = readCostDirectives(sdl ?? { kind: Kind.DOCUMENT, definitions: [] });
      bySchema.set(schema, directives);
    }
    return directives;
  };
  if (options.maxCost <= 0) return () => null;
  return ({ schema, document, operation, variables }) => {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
    // Variables that do not coerce fail the operation at execution, before any subgraph is called.
    if ('errors' in coerced && coerced.errors) return null;
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
    if (cost <= options.maxCost) return null;
    return new LimitExceededError(
      'COST_LIMIT_EXCEEDED',
      `the operation's estimated cost ${figure(cost)} is over the limit of ${figure(options.maxCost)}; ask for fewer items (first:) or fewer fields`,
    );
  };
}

/**
 * Refuses an operation whose estimated cost is over the limit once its
 * variables are known, before it is planned or any subgraph is called:
 * COST_LIMIT_EXCEEDED, 400, with the figure.
 */
export function useDemandControl(options: DemandControlOptions): ApolloServerPlugin {
  if (options.maxCost <= 0) return {};
  const check = createCostCheck(options);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const refused = check({ schema, document, operation, variables: request.variables });
          if (refused) throw refused;
        },
      };
    },
  };
}
