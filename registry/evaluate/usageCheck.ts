import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { operationErrors } from './validateOperations.ts';

/** An operation some client relies on: in a published manifest, or reported by the gateways as served lately. */
export interface KnownOperation {
  id: string;
  name: string | null;
  body: string;
  /** Who relies on it, as a reader should see it: "mobile-ios 3.2.0 (manifest)", "web (served 42 times, last …)". */
  clients: string[];
}

export type UsageVerdict =
  /** The operations the change would break, one sentence each naming the operation, its clients and why. */
  | { kind: 'breaks'; broken: string[] }
  /** Breaking by type rules, but no known operation is touched: accepted, and the note says why. */
  | { kind: 'safe'; note: string }
  /** No operation is known: the type rules decide alone. */
  | { kind: 'unknown' };

/**
 * Usage-based schema checks, as GraphOS and Hive do them: a change that is
 * breaking by graphql-js's rules matters only if an operation a client
 * relies on notices it. An operation is broken when it no longer validates
 * against the new API schema (a field, argument, type or enum value it uses
 * is gone, an argument became required…), or when it uses a coordinate a
 * breaking change names that validation cannot see (a field's type changed,
 * an enum value it may receive was removed). Operations that do not
 * validate against the current schema already are skipped: the change does
 * not break them.
 */
export function usageCheck(before: GraphQLSchema, after: GraphQLSchema, breaking: readonly string[], operations: readonly KnownOperation[]): UsageVerdict {
  if (operations.length === 0) return { kind: 'unknown' };
  const subjects = breaking.map(subjectOf);
  const broken: string[] = [];
  for (const operation of operations) {
    if (operationErrors(before, operation.body).length > 0) continue;
    const errors = operationErrors(after, operation.body);
    let reasons = errors;
    if (reasons.length === 0) {
      const used = coordinatesOf(before, operation.body);
      reasons = breaking.filter((_, i) => touches(used, subjects[i]!, before));
    }
    if (reasons.length > 0)
      broken.push(
        `operation ${operation.name ? `"${operation.name}"` : operation.id.slice(0, 12)} of ${operation.clients.join(', ')} would break: ${reasons.join(' ')}`,
      );
  }
  if (broken.length > 0) return { kind: 'breaks', broken };
  return {
    kind: 'safe',
    note: `breaking by type rules, but none of the ${operations.length} operation(s) in published manifests or served in the usage window uses what changed; accepted without allowBreaking`,
  };
}

/**
 * The schema coordinate a graphql-js breaking-change description is about:
 * "Query.motd was removed." → Query.motd, "A required arg x on Query.f was
 * added." → Query.f, "A required field x on input type In was added." → In.
 */
export function subjectOf(description: string): string {
  const arg = /^A required arg \S+ on (\S+) was added\.$/.exec(description);
  if (arg) return arg[1]!;
  const field = /^A required field \S+ on input type (\S+) was added\.$/.exec(description);
  if (field) return field[1]!;
  return (description.split(/\s/, 1)[0] ?? '').replace(/\.$/, '');
}

function touches(used: ReadonlySet<string>, subject: string, before: GraphQLSchema): boolean {
  if (used.has(subject)) return true;
  // An enum value an operation may receive: any use of the enum counts.
  const [typeName, member] = subject.split('.');
  return member !== undefined && isEnumType(before.getType(typeName!)) && used.has(typeName!);
}

/** Every type, field (Type.field) and input field an operation uses, read with the schema it validated on. */
function coordinatesOf(schema: GraphQLSchema, body: string): Set<string> {
  const used = new Set<string>();
  const addType = (type: GraphQLNamedType | null | undefined) => {
    if (!type || used.has(type.name)) return;
    used.add(type.name);
    // An input type reached through a variable may be sent whole: count each of its fields.
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        used.add(`${type.name}.${field.name}`);
        addType(getNamedType(field.type));
      }
    }
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(body, { noLocation: true }),
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD]: () => {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field) used.add(`${parent.name}.${field.name}`);
        if (parent) used.add(parent.name);
        addType(field ? getNamedType(field.type) : null);
        for (const arg of field?.args ?? []) addType(getNamedType(arg.type));
      },
      [Kind.VARIABLE_DEFINITION]: () => addType(getNamedType(typeInfo.getInputType() ?? undefined)),
      [Kind.INLINE_FRAGMENT]: () => addType(typeInfo.getType() ? getNamedType(typeInfo.getType()!) : null),
      [Kind.FRAGMENT_DEFINITION]: () => addType(typeInfo.getType() ? getNamedType(typeInfo.getType()!) : null),
      [Kind.ENUM]: () => {
        const type = getNamedType(typeInfo.getInputType() ?? undefined);
        if (type) used.add(type.name);
      },
    }),
  );
  return used;
}
