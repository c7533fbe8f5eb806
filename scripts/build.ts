/**
 * `npm run build [-- --out DIR]`: compiles the services, CLI and demo to
 * JavaScript (tsconfig.build.json) and copies what they read at run time
 * beside them: the SDL files, schema/, the portal's static files and
 * supergraph.yaml (whose schema paths then point inside the build); and
 * bundles the GraphQL IDE, so a compiled gateway needs no esbuild.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleIde } from '../gateway/ide/bundleIde.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = resolve(root, values.out);

/** Directories whose files of a kind are read at run time, and single files. */
const ASSET_DIRS: Array<[string, (file: string) => boolean]> = [
  ['subgraphs', (f) => f.endsWith('.graphql')],
  ['schema', (f) => f.endsWith('.graphql')],
  ['gateway/portal/public', () => true],
  ['registry/console/public', () => true],
];
const ASSET_FILES = ['supergraph.yaml'];

function assets(): string[] {
  const inDirs = ASSET_DIRS.flatMap(([dir, wanted]) =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .map((file) => join(dir, file))
      .filter((file) => wanted(file) && statSync(join(root, file)).isFile()),
  );
  return [...inDirs, ...ASSET_FILES];
}

rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error('build: tsc failed (above); fix the type errors and build again');
  process.exit(1);
}
let copied = 0;
for (const file of assets()) {
  mkdirSync(dirname(join(out, file)), { recursive: true });
  cpSync(join(root, file), join(out, file));
  copied += 1;
}
await bundleIde(join(out, 'gateway/ide/bundle'));
console.log(
  `build: compiled to ${out}, copied ${copied} assets and bundled the GraphQL IDE; run a service with \`node ${join(values.out, 'gateway/main.js')}\``,
);
