import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { normalizeOperationId, operationId } from '../../lib/operations/operationId.ts';

/** One trusted operation, as the registry stores and gateways serve it. */
export interface ManifestOperation {
  /** sha256 of `body`, lowercase hex. */
  id: string;
  /** The operation's name; null for an anonymous one. */
  name: string | null;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export type ParsedManifest = { ok: true; format: 'apollo' | 'map'; operations: ManifestOperation[] } | { ok: false; error: string };

/** Most operations one manifest may hold (an app ships a few hundred). */
export const MAX_MANIFEST_OPERATIONS = 5000;
/** Largest operation text; the gateway's own body limit is 256 KB. */
export const MAX_OPERATION_BYTES = 64 * 1024;

const APOLLO_FORMAT = 'apollo-persisted-query-manifest';

/**
 * Reads a persisted query manifest in one of the formats client tooling
 * writes: Apollo's (`{ format: "apollo-persisted-query-manifest", version: 1,
 * operations: [{ id, name, type, body }] }`, from
 * @apollo/generate-persisted-query-manifest), or a plain `{ id: body }` map
 * (Relay's `persisted-queries.json`, GraphQL Codegen's
 * `persisted-documents.json`, ids with or without `sha256:`). Each body must
 * parse and hold exactly one operation, and each id must be the sha256 of
 * its body; the first problem refuses the whole manifest, named.
 */
export function parseManifest(input: unknown): ParsedManifest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: 'the manifest is not a JSON object; send Apollo\'s persisted query manifest or a { "<sha256>": "<operation>" } map' };
  }
  const record = input as Record<string, unknown>;
  const apollo = 'format' in record || 'operations' in record;
  let entries: Array<{ id: unknown; name?: unknown; type?: unknown; body: unknown }>;
  if (apollo) {
    if (record.format !== APOLLO_FORMAT || record.version !== 1) {
      return {
        ok: false,
        error: `the manifest's format is ${JSON.stringify(record.format)} version ${JSON.stringify(record.version)}; only "${APOLLO_FORMAT}" version 1 is read in that shape`,
      };
    }
    if (!Array.isArray(record.operations)) return { ok: false, error: 'the manifest\'s "operations" is not a list' };
    entries = record.operations.map((entry: unknown) =>
      typeof entry === 'object' && entry !== null ? (entry as { id: unknown; body: unknown }) : { id: undefined, body: undefined },
    );
  } else {
    entries = Object.entries(record).map(([id, body]) => ({ id, body }));
  }
  if (entries.length === 0) return { ok: false, error: 'the manifest holds no operations' };
  if (entries.length > MAX_MANIFEST_OPERATIONS)
    return { ok: false, error: `the manifest holds ${entries.length} operations; at most ${MAX_MANIFEST_OPERATIONS} are accepted` };
  const operations: ManifestOperation[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const checked = checkEntry(entry, index);
    if (typeof checked === 'string') return { ok: false, error: checked };
    if (seen.has(checked.id)) continue;
    seen.add(checked.id);
    operations.push(checked);
  }
  return { ok: true, format: apollo ? 'apollo' : 'map', operations };
}

function checkEntry(entry: { id: unknown; name?: unknown; type?: unknown; body: unknown }, index: number): ManifestOperation | string {
  const label = typeof entry.name === 'string' && entry.name ? `operation "${entry.name.slice(0, 100)}"` : `operation ${index + 1}`;
  if (typeof entry.body !== 'string' || entry.body.trim() === '') return `${label} has no body; every entry needs the operation's text`;
  if (Buffer.byteLength(entry.body) > MAX_OPERATION_BYTES) return `${label} is over ${MAX_OPERATION_BYTES} bytes; split it or trim it`;
  if (typeof entry.id !== 'string') return `${label} has no id; every entry needs the sha256 of its body`;
  const id = normalizeOperationId(entry.id);
  const expected = operationId(entry.body);
  if (id !== expected) return `${label}: its id ${JSON.stringify(entry.id.slice(0, 80))} is not the sha256 of its body (${expected}); regenerate the manifest`;
  let definitions: OperationDefinitionNode[];
  try {
    definitions = parse(entry.body, { noLocation: true, maxTokens: 10_000 }).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
  } catch (error) {
    return `${label} does not parse: ${(error as Error).message}`;
  }
  if (definitions.length !== 1) return `${label} holds ${definitions.length} operations; a manifest entry holds exactly one (with its fragments)`;
  const operation = definitions[0]!;
  const name = operation.name?.value ?? null;
  const named = name ? `operation "${name}"` : label;
  if (typeof entry.name === 'string' && entry.name !== (name ?? ''))
    return `${named}: the entry is named "${entry.name.slice(0, 100)}" but its body's operation is ${name ? `"${name}"` : 'anonymous'}`;
  if (entry.type !== undefined && entry.type !== operation.operation)
    return `${named}: the entry says ${JSON.stringify(entry.type)} but its body is a ${operation.operation}`;
  return { id: expected, name, type: operation.operation, body: entry.body };
}
