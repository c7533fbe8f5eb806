import { buildOperationContext } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import type { OperationContext } from './runPlan.ts';

/** What deferred execution reads from the request once: the operation, its fragments, and how results are shaped. */
export interface DeferredRequest {
  document: DocumentNode;
  variables: NonNullable<GatewayGraphQLRequestContext['request']['variables']>;
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** Response names of the operation's root fields (the keys the raw root may hold). */
  rootNames: string[];
  /** The context that shapes a run's result like the given document. */
  shapeOf(shape: DocumentNode): OperationContext;
  /** What a first stage's result is shaped by: nothing but __typename, as only its raw data is kept. */
  bare: OperationContext;
}

export function readDeferredRequest(version: SupergraphVersion, requestContext: GatewayGraphQLRequestContext): DeferredRequest {
  const variables = requestContext.request.variables ?? {};
  const operationName = requestContext.request.operationName ?? undefined;
  const document = requestContext.document;
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || d.name?.value === operationName),
  )!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const shapeOf = (shape: DocumentNode) => buildOperationContext({ schema: version.schema, operationDocument: shape, operationName });
  const bare = shapeOf({
    kind: Kind.DOCUMENT,
    definitions: [{ ...operation, directives: [], selectionSet: { kind: Kind.SELECTION_SET, selections: [TYPENAME] } }],
  });
  return { document, variables, operation, fragments, rootNames: rootResponseNames(operation, fragments), shapeOf, bare };
}

function rootResponseNames(operation: OperationDefinitionNode, fragments: Readonly<Record<string, FragmentDefinitionNode>>): string[] {
  const names = new Set<string>();
  const visit = (selections: OperationDefinitionNode['selectionSet']['selections']) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) names.add((s.alias ?? s.name).value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet.selections);
      else {
        const fragment = fragments[s.name.value];
        if (fragment) visit(fragment.selectionSet.selections);
      }
    }
  };
  visit(operation.selectionSet.selections);
  return [...names];
}

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };
