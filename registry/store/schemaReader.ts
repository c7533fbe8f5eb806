import type { Db } from 'mongodb';

/**
 * Reads a stored SDL by its content hash (registryStore.ts stores each one
 * once under its sha256), as the revision history names them: what the
 * console diffs. Null when no schema has that hash.
 */
export function createSchemaReader(db: Db): (hash: string) => Promise<string | null> {
  const schemas = db.collection<{ _id: string; sdl: string }>('schemas');
  return async (hash) => (await schemas.findOne({ _id: hash }))?.sdl ?? null;
}
