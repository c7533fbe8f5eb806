import { Kind, parse, print, type DefinitionNode, type DirectiveNode, type FieldDefinitionNode, type InputValueDefinitionNode } from 'graphql';

/**
 * One thing a subgraph contributes to a composed supergraph, read from the
 * join directives: a type it declares, a field it resolves, an interface it
 * implements, a union member or enum value it adds, a directive it applies.
 * `detail` holds what else the join directive says (key, requires, override…).
 */
export interface SupergraphFact {
  graph: string;
  kind: 'type' | 'field' | 'implements' | 'member' | 'value' | 'directive';
  coordinate: string;
  detail: string;
}

type Arguments = Record<string, string>;

/** Every fact of every subgraph in a supergraph SDL, so two revisions can be compared. */
export function supergraphFacts(supergraphSdl: string): SupergraphFact[] {
  const document = parse(supergraphSdl, { noLocation: true });
  const graphs = graphNames(document.definitions);
  const facts: SupergraphFact[] = [];
  const graphOf = (args: Arguments) => graphs.get(args.graph ?? '') ?? args.graph ?? '';
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
    const typeName = definition.name.value;
    const directives = definition.directives ?? [];
    const declaring: string[] = [];
    for (const args of joinArguments(directives, 'join__type')) {
      const graph = graphOf(args);
      declaring.push(graph);
      facts.push({ graph, kind: 'type', coordinate: typeName, detail: describe(args, ['graph']) });
    }
    for (const args of joinArguments(directives, 'join__implements')) {
      facts.push({ graph: graphOf(args), kind: 'implements', coordinate: `${typeName} implements ${args.interface ?? ''}`, detail: '' });
    }
    for (const args of joinArguments(directives, 'join__unionMember')) {
      facts.push({ graph: graphOf(args), kind: 'member', coordinate: `${typeName} | ${args.member ?? ''}`, detail: '' });
    }
    for (const args of joinArguments(directives, 'join__directive')) facts.push(...directiveFacts(args, typeName, graphs));
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
      for (const value of definition.values ?? []) {
        for (const args of joinArguments(value.directives ?? [], 'join__enumValue')) {
          facts.push({ graph: graphOf(args), kind: 'value', coordinate: `${typeName}.${value.name.value}`, detail: '' });
        }
      }
    }
    if ('fields' in definition && definition.fields) {
      for (const field of definition.fields as ReadonlyArray<FieldDefinitionNode | InputValueDefinitionNode>) {
        facts.push(...fieldFacts(field, typeName, declaring, graphOf, graphs));
      }
    }
  }
  return facts;
}

/** A field without `@join__field` belongs to every subgraph that declares its type. */
function fieldFacts(
  field: FieldDefinitionNode | InputValueDefinitionNode,
  typeName: string,
  declaring: readonly string[],
  graphOf: (args: Arguments) => string,
  graphs: ReadonlyMap<string, string>,
): SupergraphFact[] {
  const coordinate = `${typeName}.${field.name.value}`;
  const joins = joinArguments(field.directives ?? [], 'join__field');
  const facts: SupergraphFact[] =
    joins.length === 0
      ? declaring.map((graph) => ({ graph, kind: 'field' as const, coordinate, detail: '' }))
      : joins
          .filter((args) => args.graph !== undefined)
          .map((args) => ({ graph: graphOf(args), kind: 'field' as const, coordinate, detail: describe(args, ['graph']) }));
  for (const args of joinArguments(field.directives ?? [], 'join__directive')) facts.push(...directiveFacts(args, coordinate, graphs));
  return facts;
}

function directiveFacts(args: Arguments, coordinate: string, graphs: ReadonlyMap<string, string>): SupergraphFact[] {
  const listed = (args.graphs ?? '')
    .replace(/[[\]\s]/g, '')
    .split(',')
    .filter(Boolean);
  return listed.map((graph) => ({
    graph: graphs.get(graph) ?? graph,
    kind: 'directive' as const,
    coordinate,
    detail: `@${args.name ?? ''} ${args.args ?? ''}`.trim(),
  }));
}

/** `enum join__Graph { HANBIT @join__graph(name: "hanbit", …) }`: enum value → subgraph name. */
function graphNames(definitions: readonly DefinitionNode[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = joinArguments(value.directives ?? [], 'join__graph')[0]?.name;
      if (name) names.set(value.name.value, name);
    }
  }
  return names;
}

/** The arguments of each use of one directive, as strings (string values unquoted). */
function joinArguments(directives: readonly DirectiveNode[], name: string): Arguments[] {
  return directives
    .filter((d) => d.name.value === name)
    .map((d) =>
      Object.fromEntries(
        (d.arguments ?? []).map((a) => [a.name.value, a.value.kind === Kind.STRING || a.value.kind === Kind.ENUM ? a.value.value : print(a.value)]),
      ),
    );
}

function describe(args: Arguments, skip: readonly string[]): string {
  return Object.entries(args)
    .filter(([key]) => !skip.includes(key))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
}
