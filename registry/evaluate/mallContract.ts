import { readFileSync } from 'node:fs';
import { Kind, parse, print, type ConstDirectiveNode } from 'graphql';

/** Fact key (`kind:coordinate`) → the join details it must have; see supergraphFacts.ts. */
export type AllowedFacts = Map<string, string>;

let contract: AllowedFacts | undefined;

/**
 * What a mall subgraph contributes besides its own mall type: the shared
 * types exactly as schema/mall.graphql declares them, and an empty Query.
 */
export function mallContract(): ReadonlyMap<string, string> {
  contract ??= readContract(readFileSync(new URL('../../schema/mall.graphql', import.meta.url), 'utf8'));
  return contract;
}

/** A mall's own type: `type <Id>Mall implements Mall @key(fields: "id") { id search }`. */
export function mallTypeFacts(typeName: string): AllowedFacts {
  const allowed: AllowedFacts = new Map([
    [`type:${typeName}`, 'key: id'],
    [`implements:${typeName} implements Mall`, ''],
  ]);
  for (const field of Object.keys(interfaceFields())) allowed.set(`field:${typeName}.${field}`, '');
  return allowed;
}

function interfaceFields(): Record<string, true> {
  const fields: Record<string, true> = {};
  for (const id of mallContract().keys()) {
    const match = /^field:Mall\.(\w+)$/.exec(id);
    if (match) fields[match[1]!] = true;
  }
  return fields;
}

function readContract(sdl: string): AllowedFacts {
  const allowed: AllowedFacts = new Map([['type:Query', '']]);
  for (const definition of parse(sdl, { noLocation: true }).definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.SCALAR_TYPE_DEFINITION
    )
      continue;
    const name = definition.name.value;
    allowed.set(`type:${name}`, keyDetail(definition.directives ?? []));
    if (definition.kind === Kind.SCALAR_TYPE_DEFINITION) continue;
    for (const field of definition.fields ?? []) allowed.set(`field:${name}.${field.name.value}`, '');
  }
  return allowed;
}

/** `@key(fields: "model", resolvable: false)` as supergraphFacts describes its join__type. */
function keyDetail(directives: readonly ConstDirectiveNode[]): string {
  const key = directives.find((d) => d.name.value === 'key');
  if (!key) return '';
  const parts: string[] = [];
  for (const argument of key.arguments ?? []) {
    const value = argument.value.kind === Kind.STRING ? argument.value.value : print(argument.value);
    if (argument.name.value === 'fields') parts.push(`key: ${value}`);
    if (argument.name.value === 'resolvable' && value === 'false') parts.push('resolvable: false');
  }
  return parts.join(', ');
}
