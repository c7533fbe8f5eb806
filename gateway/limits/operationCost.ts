import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FieldNode,
  OperationTypeNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CostDirectives } from './readCostDirectives.ts';

export interface CostInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** Coerced variable values. */
  variables: Readonly<Record<string, unknown>>;
  directives: CostDirectives;
  /** Items a list is taken to hold when neither `@listSize` nor a slicing argument says. */
  defaultListSize: number;
}

/** A mutation's own weight, as Apollo's demand control counts it. */
const MUTATION_COST = 10;
const NONE: ReadonlyMap<string, number> = new Map();

/**
 * The estimated cost of an operation, in the model Apollo's demand control
 * and Hive's use: an object costs 1 and a scalar or enum 0 unless `@cost`
 * says otherwise (on the field, else on its type); a list multiplies its
 * items' cost by its size, taken from the slicing argument given (`first:
 * 20`), else `@listSize(assumedSize:)`, else `defaultListSize`; `@cost` on an
 * argument is added when the argument is given. Where a selection splits by
 * concrete type, the dearest branch counts. Fields skipped by
 * `@skip`/`@include` cost nothing.
 */
export function operationCost(input: CostInput): number {
  const { schema, operation } = input;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const memo = new Map<string, number>();

  const included = (node: SelectionNode): boolean => {
    if (getDirectiveValues(GraphQLSkipDirective, node, input.variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, input.variables)?.if !== false;
  };

  const selectionCost = (set: SelectionSetNode, parent: GraphQLCompositeType, sized: ReadonlyMap<string, number>): number => {
    let common = 0;
    const narrowed = new Map<string, number>();
    const add = (on: GraphQLCompositeType, cost: number) => {
      if (on === parent) common += cost;
      else narrowed.set(on.name, (narrowed.get(on.name) ?? 0) + cost);
    };
    for (const selection of set.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        common += fieldCost(selection, parent, sized);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? compositeType(selection.typeCondition.name.value) : parent;
        if (on) add(on, selectionCost(selection.selectionSet, on, sized));
      } else {
        const fragment = input.fragments[selection.name.value];
        const on = fragment && compositeType(fragment.typeCondition.name.value);
        if (!fragment || !on) continue;
        // Validation has refused fragment cycles; a fragment spread many times is costed once.
        const key = sized.size === 0 ? fragment.name.value : `${fragment.name.value} ${JSON.stringify([...sized])}`;
        let cost = memo.get(key);
        if (cost === undefined) memo.set(key, (cost = selectionCost(fragment.selectionSet, on, sized)));
        add(on, cost);
      }
    }
    return common + Math.max(0, ...narrowed.values());
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType, sized: ReadonlyMap<string, number>): number => {
    const name = node.name.value;
    if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const field = parent.getFields()[name];
    if (!field) return 0;
    const key = `${parent.name}.${name}`;
    const { directives, defaultListSize } = input;
    const args = argumentsOf(field, node, input.variables);
    const type = getNamedType(field.type);
    const weight = directives.fieldWeight.get(key) ?? directives.typeWeight.get(type.name) ?? (isCompositeType(type) ? 1 : 0);
    let cost = 0;
    for (const argument of field.args) {
      if (args[argument.name] !== undefined) cost += directives.argumentWeight.get(`${key}(${argument.name})`) ?? 0;
    }
    const listSize = directives.listSize.get(key);
    const sliced = largest(listSize?.slicingArguments?.map((a) => args[a]));
    const ownSize = sized.get(name) ?? (listSize && !listSize.sizedFields ? (sliced ?? listSize.assumedSize) : undefined) ?? defaultListSize;
    const childSize = sliced ?? listSize?.assumedSize ?? defaultListSize;
    const childSized = listSize?.sizedFields ? new Map(listSize.sizedFields.map((f) => [f, childSize])) : NONE;
    const children = node.selectionSet && isCompositeType(type) ? selectionCost(node.selectionSet, type, childSized) : 0;
    return cost + (isListType(getNullableType(field.type)) ? ownSize : 1) * (weight + children);
  };

  const compositeType = (name: string): GraphQLCompositeType | undefined => {
    const type = schema.getType(name);
    return type && isCompositeType(type) ? type : undefined;
  };

  const cost = selectionCost(operation.selectionSet, root, NONE);
  return operation.operation === OperationTypeNode.MUTATION ? cost + MUTATION_COST : cost;
}

function argumentsOf(field: Parameters<typeof getArgumentValues>[0], node: FieldNode, variables: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return getArgumentValues(field, node, variables);
  } catch {
    // A bad argument fails the operation at execution, before any subgraph is called.
    return {};
  }
}

function largest(values: unknown[] | undefined): number | undefined {
  const numbers = (values ?? []).filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  return numbers.length > 0 ? Math.max(...numbers) : undefined;
}
