import { createHash } from 'node:crypto';

/** A persisted operation's id: the sha256 of its exact text, lowercase hex (as Apollo's APQ and manifests use). */
export function operationId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * An id as clients and manifest tools write it, reduced to the bare hash:
 * GraphQL Codegen and the GraphQL-over-HTTP persisted documents draft prefix
 * it with `sha256:`. Null when it is not a sha256 hex digest.
 */
export function normalizeOperationId(raw: string): string | null {
  const bare = raw.startsWith('sha256:') ? raw.slice('sha256:'.length) : raw;
  return /^[0-9a-fA-F]{64}$/.test(bare) ? bare.toLowerCase() : null;
}
