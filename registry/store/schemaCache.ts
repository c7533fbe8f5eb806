import { createHash } from 'node:crypto';
import type { RevisionRecords } from './revisionRecords.ts';

export interface SchemaCache {
  /** Stores `sdl` once under its sha256 and returns the hash. */
  store(sdl: string): Promise<string>;
  /** The SDL stored under `hash`; throws when the records have lost it. */
  read(hash: string): Promise<string>;
}

/** Stored SDLs by hash; they never change under a hash, so a process keeps every one it has seen. */
export function createSchemaCache(records: RevisionRecords): SchemaCache {
  const sdlByHash = new Map<string, string>();
  return {
    async store(sdl) {
      const hash = createHash('sha256').update(sdl).digest('hex');
      if (sdlByHash.has(hash)) return hash;
      await records.insertSchema(hash, sdl);
      sdlByHash.set(hash, sdl);
      return hash;
    },
    async read(hash) {
      const cached = sdlByHash.get(hash);
      if (cached !== undefined) return cached;
      const sdl = await records.findSchema(hash);
      if (sdl === null) throw new Error(`registry database is missing schema ${hash}; restore it from a backup`);
      sdlByHash.set(hash, sdl);
      return sdl;
    },
  };
}
