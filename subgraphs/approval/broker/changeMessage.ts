/** The body of a change notification between replicas: `{"userIds":[…]}`, nothing else (no counts, so none can be stale). */
export function encodeChange(userIds: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify({ userIds }));
}

/** The user ids of a change message, or null when it is not one. */
export function parseChange(content: Buffer): string[] | null {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const userIds = (value as { userIds?: unknown }).userIds;
  if (!Array.isArray(userIds) || !userIds.every((id): id is string => typeof id === 'string')) return null;
  return userIds;
}
