import { Kind, parse, print, type ASTNode, type DefinitionNode, type DocumentNode } from 'graphql';

/**
 * How a subgraph's served SDL (`_service { sdl }`) differs from the one
 * published, ignoring what does not change the schema: descriptions,
 * comments, formatting and the order of definitions, fields, arguments,
 * directives, interfaces, enum values and union members, and the federation
 * and link definitions @apollo/subgraph adds to what it serves (`_service`,
 * `_Any`, `directive @key`, …). Returns one line per differing definition;
 * empty when they are the same schema. Throws the GraphQL syntax error when
 * either does not parse.
 */
export function subgraphSdlDifferences(published: string, served: string): string[] {
  const mine = definitionsByKey(parse(published, { noLocation: true }));
  const theirs = definitionsByKey(parse(served, { noLocation: true }));
  const differences: string[] = [];
  for (const [key, printed] of mine) {
    const other = theirs.get(key);
    if (other === undefined) differences.push(`${key} is published but not served`);
    else if (other !== printed) differences.push(`${key} differs`);
  }
  for (const key of theirs.keys()) if (!mine.has(key)) differences.push(`${key} is served but not published`);
  return differences;
}

/** Each definition normalised and printed, keyed by what it defines (`type Query`, `extend schema`). */
function definitionsByKey(document: DocumentNode): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const definition of document.definitions.flatMap(withoutBuiltIns).map(normalise)) {
    const key = keyOf(definition);
    // Two definitions under one key (`extend schema` twice, a type and its extension written alike) compare as a set.
    const printed = print(definition);
    byKey.set(key, byKey.has(key) ? [byKey.get(key)!, printed].sort().join('\n') : printed);
  }
  return byKey;
}

const KEYWORDS: Partial<Record<Kind, string>> = {
  [Kind.SCHEMA_DEFINITION]: 'schema',
  [Kind.SCHEMA_EXTENSION]: 'extend schema',
  [Kind.OBJECT_TYPE_DEFINITION]: 'type',
  [Kind.OBJECT_TYPE_EXTENSION]: 'extend type',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'interface',
  [Kind.INTERFACE_TYPE_EXTENSION]: 'extend interface',
  [Kind.UNION_TYPE_DEFINITION]: 'union',
  [Kind.UNION_TYPE_EXTENSION]: 'extend union',
  [Kind.ENUM_TYPE_DEFINITION]: 'enum',
  [Kind.ENUM_TYPE_EXTENSION]: 'extend enum',
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'input',
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: 'extend input',
  [Kind.SCALAR_TYPE_DEFINITION]: 'scalar',
  [Kind.SCALAR_TYPE_EXTENSION]: 'extend scalar',
  [Kind.DIRECTIVE_DEFINITION]: 'directive',
};

function keyOf(definition: DefinitionNode): string {
  const keyword = KEYWORDS[definition.kind] ?? definition.kind;
  if (definition.kind === Kind.DIRECTIVE_DEFINITION) return `${keyword} @${definition.name.value}`;
  return 'name' in definition && definition.name ? `${keyword} ${definition.name.value}` : keyword;
}

/** Directives of the federation and link specs, defined by whoever serves the SDL (some prefixed `federation__`). */
const SPEC_DIRECTIVES = new Set([
  'link',
  'key',
  'requires',
  'provides',
  'external',
  'tag',
  'extends',
  'shareable',
  'inaccessible',
  'override',
  'composeDirective',
  'interfaceObject',
  'authenticated',
  'requiresScopes',
  'policy',
  'context',
  'fromContext',
  'cost',
  'listSize',
]);
const SPEC_TYPE = /^(_Any|_FieldSet|FieldSet|_Service|_Entity)$|^(federation|link)__/;
const SPEC_PREFIX = /^(federation|link)__/;
const ENTRY_FIELDS = new Set(['_service', '_entities']);
const LINK_SPEC = 'https://specs.apollo.dev/link/';

/** The definition as its author wrote it: without what a subgraph library adds (none left: dropped). */
function withoutBuiltIns(definition: DefinitionNode): DefinitionNode[] {
  switch (definition.kind) {
    case Kind.DIRECTIVE_DEFINITION:
      return SPEC_DIRECTIVES.has(definition.name.value) || SPEC_PREFIX.test(definition.name.value) ? [] : [definition];
    case Kind.SCHEMA_DEFINITION:
    case Kind.SCHEMA_EXTENSION: {
      const directives = definition.directives?.filter(
        (d) => !(d.name.value === 'link' && d.arguments?.some((a) => a.value.kind === Kind.STRING && a.value.value.startsWith(LINK_SPEC))),
      );
      // `query: Query` and the like are implied; subgraph libraries print them anyway.
      const operationTypes = (definition.operationTypes ?? []).filter((o) => o.type.name.value.toLowerCase() !== String(o.operation));
      if (!directives?.length && operationTypes.length === 0) return [];
      return [{ ...definition, directives, operationTypes }];
    }
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION: {
      if (SPEC_TYPE.test(definition.name.value)) return [];
      if (definition.name.value !== 'Query') return [definition];
      const fields = definition.fields?.filter((f) => !ENTRY_FIELDS.has(f.name.value));
      const empty = !fields?.length && !definition.directives?.length && !definition.interfaces?.length;
      return empty ? [] : [{ ...definition, fields }];
    }
    default:
      return 'name' in definition && definition.name && SPEC_TYPE.test(definition.name.value) ? [] : [definition];
  }
}

type Named = { name: { value: string } };
const byName = (a: Named, b: Named) => (a.name.value < b.name.value ? -1 : a.name.value > b.name.value ? 1 : 0);
const sorted = <T extends Named>(list: readonly T[] | undefined, each: (item: T) => T = (item) => item) => list && [...list].map(each).sort(byName);

/** A copy without its description, with every list whose order carries no meaning sorted. */
function normalise<T extends ASTNode>(node: T): T {
  const copy: Record<string, unknown> = { ...node };
  if ('description' in copy) copy.description = undefined;
  const n = node as Partial<Record<'arguments' | 'fields' | 'values' | 'types' | 'interfaces' | 'directives', readonly never[]>>;
  if (n.arguments) copy.arguments = sorted<Named & ASTNode>(n.arguments, normalise);
  if (n.fields) copy.fields = sorted<Named & ASTNode>(n.fields, normalise);
  if (n.types) copy.types = sorted<Named & ASTNode>(n.types);
  if (n.interfaces) copy.interfaces = sorted<Named & ASTNode>(n.interfaces);
  // A list value's order means something; an enum's values do not.
  if (n.values && (node.kind === Kind.ENUM_TYPE_DEFINITION || node.kind === Kind.ENUM_TYPE_EXTENSION))
    copy.values = sorted<Named & ASTNode>(n.values, normalise);
  if (node.kind === Kind.LIST) copy.values = node.values.map(normalise);
  if ('value' in node && node.value && typeof node.value === 'object') copy.value = normalise(node.value);
  if ('defaultValue' in node && node.defaultValue) copy.defaultValue = normalise(node.defaultValue);
  if (node.kind === Kind.DIRECTIVE_DEFINITION) copy.locations = [...node.locations].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  // A directive may repeat with other arguments, so directives sort by their normalised print.
  if (n.directives) {
    const printed = (n.directives as unknown as ASTNode[]).map((d) => normalise(d)).map((d) => ({ d, text: print(d) }));
    copy.directives = printed.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)).map(({ d }) => d);
  }
  return copy as T;
}
