import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A temporary repository to scaffold malls into: its own subgraphs/malls/,
 * everything a mall needs linked to this checkout, so nothing is written here.
 */
export function createTempRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scaffold-'));
  mkdirSync(join(dir, 'subgraphs', 'malls'), { recursive: true });
  for (const entry of ['node_modules', 'lib', 'composition', 'schema', 'package.json']) symlinkSync(join(REPO, entry), join(dir, entry));
  symlinkSync(join(REPO, 'subgraphs', 'malls', 'kit'), join(dir, 'subgraphs', 'malls', 'kit'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: join(REPO, 'tsconfig.json'), include: ['subgraphs'] }));
  return dir;
}
