import { Kind, parse, type ConstDirectiveNode, type DocumentNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';
import { mallIdOf } from './mallNaming.ts';

/** A mall as the directory lists it. */
export interface MallListing {
  id: string;
  typeName: string;
  name: string;
  homepage: string;
}

type ObjectNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;

/**
 * Every object type that implements `Mall` is a mall; its `@mall` directive
 * gives the name and homepage. Works on a subgraph SDL and on a supergraph
 * (where @composeDirective keeps `@mall`). Throws one sentence per problem.
 */
export function findMalls(document: DocumentNode, source: string): MallListing[] {
  const malls: MallListing[] = [];
  for (const definition of document.definitions) {
    if (!isObjectNode(definition)) continue;
    if (!definition.interfaces?.some((i) => i.name.value === 'Mall')) continue;
    const typeName = definition.name.value;
    const id = mallIdOf(typeName);
    if (!id) {
      throw new Error(`${source}: type ${typeName} implements Mall but is not named <Id>Mall (e.g. HanbitMall)`);
    }
    const directive = definition.directives?.find((d) => d.name.value === 'mall');
    if (!directive) {
      throw new Error(`${source}: type ${typeName} implements Mall but has no @mall(name, homepage) directive`);
    }
    malls.push({ id, typeName, name: stringArgument(directive, 'name', source), homepage: stringArgument(directive, 'homepage', source) });
  }
  return malls;
}

export function findMallsInSdl(sdl: string, source: string): MallListing[] {
  return findMalls(parse(sdl), source);
}

/** The directory subgraph: `Query.malls` plus one stub per mall, answering id, name, homepage. */
export function directorySdl(malls: MallListing[]): string {
  const stubs = malls.map((mall) => `type ${mall.typeName} implements Mall @key(fields: "id") {\n  id: ID!\n  name: String!\n  homepage: String!\n}`);
  return [
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])',
    'interface Mall {\n  id: ID!\n  name: String!\n  homepage: String!\n}',
    ...stubs,
    'type Query {\n  "Every partner mall."\n  malls: [Mall!]!\n  mall(id: ID!): Mall\n}',
  ].join('\n\n');
}

function isObjectNode(node: DocumentNode['definitions'][number]): node is ObjectNode {
  return node.kind === Kind.OBJECT_TYPE_DEFINITION || node.kind === Kind.OBJECT_TYPE_EXTENSION;
}

function stringArgument(directive: ConstDirectiveNode, name: string, source: string): string {
  const argument = directive.arguments?.find((a) => a.name.value === name);
  if (!argument || argument.value.kind !== Kind.STRING || argument.value.value.trim() === '') {
    throw new Error(`${source}: @mall needs a non-empty string argument "${name}"`);
  }
  return argument.value.value;
}
