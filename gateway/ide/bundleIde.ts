import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const here = fileURLToPath(new URL('.', import.meta.url));

/** The files the IDE page loads, both in one directory. */
export const IDE_FILES = { script: 'ide.js', style: 'ide.css' } as const;

/** What the bundle is made of: the packages it comes from and our own entry; a change to any makes a new bundle. */
const PACKAGES = ['graphiql', '@graphiql/toolkit', 'react', 'react-dom', 'graphql-ws', 'graphql', 'esbuild'];
const SOURCES = ['ideEntry.ts', 'defaultQuery.ts'];

/**
 * Where `npm run build` puts the bundle beside this module, so a compiled
 * gateway serves it without esbuild (a dev dependency) installed.
 */
export const PREBUILT_DIR = join(here, 'bundle');

/**
 * The IDE's script and style, bundled with esbuild from our own npm
 * dependencies (no CDN, no build server). A compiled gateway uses what
 * `npm run build` left in PREBUILT_DIR; from source, the first gateway to
 * start bundles into a cache directory named after its inputs, and every
 * later start, test or replica reuses it (about a second once per change).
 */
export async function bundleIde(outDir?: string): Promise<string> {
  if (!outDir && existsSync(join(PREBUILT_DIR, IDE_FILES.script))) return PREBUILT_DIR;
  const dir = outDir ?? join(tmpdir(), 'gatehouse-ide', inputsHash());
  if (existsSync(join(dir, IDE_FILES.script)) && existsSync(join(dir, IDE_FILES.style))) return dir;
  let esbuild: typeof Esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('cannot bundle the GraphQL IDE: esbuild is not installed; run `npm install` (or `npm run build`, which bundles it ahead)');
  }
  // Built beside the target and renamed into place, so two gateways starting together never serve half a file.
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    await esbuild.build({
      entryPoints: { ide: join(here, 'ideEntry.ts') },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022'],
      outdir: staging,
      define: { 'process.env.NODE_ENV': '"production"' },
      legalComments: 'linked',
      logLevel: 'silent',
    });
    mkdirSync(join(dir, '..'), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process renamed its finished bundle in first: use that.
    if (existsSync(join(dir, IDE_FILES.script))) return dir;
    throw error;
  }
  return dir;
}

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const name of PACKAGES)
    hash.update(`${name}@${(JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version}\n`);
  for (const file of SOURCES) hash.update(readFileSync(join(here, file)));
  return hash.digest('hex').slice(0, 16);
}
