import {
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The operation one deferred fragment's payload is shaped by: the fields on
 * the way down to it (as the client wrote them: alias, name, arguments) and
 * then only the fragment's own selection, as the planner printed it.
 * `queryPath` holds response names and `... on T` steps.
 */
export function deferredOperation(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  queryPath: readonly string[],
  subselection: string,
): DocumentNode {
  const inner = (parse(`{ __typename ${subselection.slice(subselection.indexOf('{') + 1)}`, { noLocation: true }).definitions[0] as OperationDefinitionNode)
    .selectionSet;
  // The __typename above keeps an empty subselection valid; it is dropped unless that is all there is.
  const own: SelectionSetNode = inner.selections.length > 1 ? { ...inner, selections: inner.selections.slice(1) } : inner;
  const selectionSet = pathDown(operation.selectionSet.selections, fragments, queryPath, own);
  return { kind: Kind.DOCUMENT, definitions: [{ ...operation, directives: [], selectionSet }] };
}

function pathDown(
  selections: readonly SelectionNode[],
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  path: readonly string[],
  own: SelectionSetNode,
): SelectionSetNode {
  const [step, ...rest] = path;
  if (step === undefined) return own;
  if (step.startsWith('... on ')) {
    const typeName = step.slice('... on '.length).trim();
    return {
      kind: Kind.SELECTION_SET,
      selections: [
        {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: typeName } },
          selectionSet: pathDown(selections, fragments, rest, own),
        },
      ],
    };
  }
  const fields = fieldsNamed(selections, fragments, step);
  const first = fields[0];
  if (!first) throw new Error(`the deferred fragment's path step "${step}" is not in the operation; this is a gateway bug`);
  const below = fields.flatMap((f) => f.selectionSet?.selections ?? []);
  const field: FieldNode = { ...first, directives: [], selectionSet: pathDown(below, fragments, rest, own) };
  return { kind: Kind.SELECTION_SET, selections: [field] };
}

/** Every field answering to a response name, through inline fragments and fragment spreads. */
function fieldsNamed(selections: readonly SelectionNode[], fragments: Readonly<Record<string, FragmentDefinitionNode>>, responseName: string): FieldNode[] {
  return selections.flatMap((selection): FieldNode[] => {
    if (selection.kind === Kind.FIELD) return (selection.alias ?? selection.name).value === responseName ? [selection] : [];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsNamed(selection.selectionSet.selections, fragments, responseName);
    const fragment = fragments[selection.name.value];
    return fragment ? fieldsNamed(fragment.selectionSet.selections, fragments, responseName) : [];
  });
}
