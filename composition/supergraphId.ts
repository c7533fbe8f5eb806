import { createHash } from 'node:crypto';

/** Short hash of a supergraph SDL: how logs, `/readyz` and the registry name a version. */
export function supergraphId(sdl: string): string {
  return createHash('sha256').update(sdl).digest('hex').slice(0, 12);
}
