import { Kind, type FieldNode, visit, type DirectiveNode, type DocumentNode, type FragmentSpreadNode, type InlineFragmentNode } from 'graphql';

/**
 * Whether a @defer applies: absent `if`, `if: true`, or `if: $var` whose
 * value is not false. `variables` are the request's, as sent.
 */
export function isActiveDefer(directive: DirectiveNode, variables: Readonly<Record<string, unknown>>): boolean {
  if (directive.name.value !== 'defer') return false;
  const condition = directive.arguments?.find((a) => a.name.value === 'if')?.value;
  if (!condition) return true;
  if (condition.kind === Kind.BOOLEAN) return condition.value;
  if (condition.kind === Kind.VARIABLE) return variables[condition.name.value] !== false;
  return true;
}

const deferredBy = (node: InlineFragmentNode | FragmentSpreadNode, variables: Readonly<Record<string, unknown>>) =>
  node.directives?.some((d) => isActiveDefer(d, variables)) ?? false;

/** Whether anything in the document would be delivered later. */
export function hasActiveDefer(document: DocumentNode, variables: Readonly<Record<string, unknown>>): boolean {
  let found = false;
  visit(document, {
    InlineFragment: (node) => void (found ||= deferredBy(node, variables)),
    FragmentSpread: (node) => void (found ||= deferredBy(node, variables)),
  });
  return found;
}

/** The document without its deferred fragments: what the first payload is shaped by. */
export function withoutActiveDefers(document: DocumentNode, variables: Readonly<Record<string, unknown>>): DocumentNode {
  return visit(document, {
    InlineFragment: (node) => (deferredBy(node, variables) ? null : undefined),
    FragmentSpread: (node) => (deferredBy(node, variables) ? null : undefined),
    // A selection left empty (all of it deferred) still needs one field to be a valid operation.
    SelectionSet: { leave: (node) => (node.selections.length === 0 ? { ...node, selections: [TYPENAME] } : undefined) },
  });
}

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };
