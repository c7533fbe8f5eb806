import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A worker entry named as its TypeScript source (`./job.ts`), as it exists
 * where the process runs: the `.js` that `npm run build` emitted beside the
 * calling module when the source is not there.
 */
export function runnableEntry(entry: URL): URL {
  if (!entry.pathname.endsWith('.ts') || existsSync(fileURLToPath(entry))) return entry;
  return new URL(entry.href.replace(/\.ts$/, '.js'));
}
