import { isTypeDefinitionNode, isTypeExtensionNode, Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DocumentNode } from 'graphql';

export interface ListSize {
  assumedSize?: number;
  /** Arguments whose value is the list's length (`first`, `limit`); the largest given counts. */
  slicingArguments?: string[];
  /** When set, the slicing sizes these child lists (a connection's `edges`), not the field itself. */
  sizedFields?: string[];
}

/**
 * The demand-control directives of one supergraph, keyed `Type.field` and
 * `Type.field(argument)`: `@cost(weight:)` on types, fields and arguments,
 * `@listSize` on fields, as Apollo's cost spec and Hive read them.
 */
export interface CostDirectives {
  typeWeight: ReadonlyMap<string, number>;
  fieldWeight: ReadonlyMap<string, number>;
  argumentWeight: ReadonlyMap<string, number>;
  listSize: ReadonlyMap<string, ListSize>;
}

const COST_SPEC = 'https://specs.apollo.dev/cost/';

/**
 * Reads them from the supergraph SDL. Subgraphs declare them through
 * Federation 2.9's `@link(url: ".../federation/v2.9", import: ["@cost",
 * "@listSize"])`; composition then links Apollo's cost spec in the supergraph
 * (`@link(url: "https://specs.apollo.dev/cost/v0.1")`), whose renames (`as`,
 * imports) are followed here. With no such link, directives named `@cost`
 * and `@listSize` (kept by `@composeDirective`, Hive's way) are read.
 */
export function readCostDirectives(sdl: string | DocumentNode): CostDirectives {
  const document = typeof sdl === 'string' ? parse(sdl, { noLocation: true }) : sdl;
  const names = directiveNames(document);
  const typeWeight = new Map<string, number>();
  const fieldWeight = new Map<string, number>();
  const argumentWeight = new Map<string, number>();
  const listSize = new Map<string, ListSize>();
  for (const definition of document.definitions) {
    if (!isTypeDefinitionNode(definition) && !isTypeExtensionNode(definition)) continue;
    const typeName = definition.name.value;
    const weight = weightOf(definition.directives, names.cost);
    if (weight !== undefined) typeWeight.set(typeName, weight);
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    )
      continue;
    for (const field of definition.fields ?? []) {
      const key = `${typeName}.${field.name.value}`;
      const fieldCost = weightOf(field.directives, names.cost);
      if (fieldCost !== undefined) fieldWeight.set(key, fieldCost);
      const size = listSizeOf(field.directives, names.listSize);
      if (size) listSize.set(key, size);
      for (const argument of field.arguments ?? []) {
        const argumentCost = weightOf(argument.directives, names.cost);
        if (argumentCost !== undefined) argumentWeight.set(`${key}(${argument.name.value})`, argumentCost);
      }
    }
  }
  return { typeWeight, fieldWeight, argumentWeight, listSize };
}

/** What the cost spec's directives are called in this document, after `@link`'s `as` and `import` renames. */
function directiveNames(document: DocumentNode): { cost: string; listSize: string } {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      const url = argument(link, 'url');
      if (link.name.value !== 'link' || url?.kind !== Kind.STRING || !url.value.startsWith(COST_SPEC)) continue;
      const as = argument(link, 'as');
      const prefix = as?.kind === Kind.STRING ? as.value : 'cost';
      const imported = importsOf(argument(link, 'import'));
      // The link spec: a directive named as the feature is `@<prefix>`, the others `@<prefix>__<name>` unless imported.
      return { cost: imported.get('cost') ?? prefix, listSize: imported.get('listSize') ?? `${prefix}__listSize` };
    }
  }
  return { cost: 'cost', listSize: 'listSize' };
}

/** `import: ["@listSize", { name: "@cost", as: "@weight" }]` as directive name → name in this schema. */
function importsOf(value: ConstValueNode | undefined): Map<string, string> {
  const imported = new Map<string, string>();
  if (value?.kind !== Kind.LIST) return imported;
  for (const item of value.values) {
    if (item.kind === Kind.STRING) imported.set(item.value.replace(/^@/, ''), item.value.replace(/^@/, ''));
    if (item.kind !== Kind.OBJECT) continue;
    const name = item.fields.find((f) => f.name.value === 'name')?.value;
    const as = item.fields.find((f) => f.name.value === 'as')?.value;
    if (name?.kind === Kind.STRING) imported.set(name.value.replace(/^@/, ''), (as?.kind === Kind.STRING ? as.value : name.value).replace(/^@/, ''));
  }
  return imported;
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

/** Apollo writes the weight as an Int, IBM's spec (Hive) as a String. */
function weightOf(directives: readonly ConstDirectiveNode[] | undefined, name: string): number | undefined {
  const directive = directives?.find((d) => d.name.value === name);
  const value = directive && argument(directive, 'weight');
  if (value?.kind !== Kind.INT && value?.kind !== Kind.FLOAT && value?.kind !== Kind.STRING) return undefined;
  const weight = Number(value.value);
  return Number.isFinite(weight) && weight >= 0 ? weight : undefined;
}

function listSizeOf(directives: readonly ConstDirectiveNode[] | undefined, name: string): ListSize | undefined {
  const directive = directives?.find((d) => d.name.value === name);
  if (!directive) return undefined;
  const assumed = argument(directive, 'assumedSize');
  const strings = (value: ConstValueNode | undefined) =>
    value?.kind === Kind.LIST ? value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : undefined;
  return {
    assumedSize: assumed?.kind === Kind.INT ? Number(assumed.value) : undefined,
    slicingArguments: strings(argument(directive, 'slicingArguments')),
    sizedFields: strings(argument(directive, 'sizedFields')),
  };
}
