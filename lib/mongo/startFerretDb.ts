import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../http/freePort.ts';
import type { Logger } from '../log.ts';

export const FERRETDB_VERSION = 'v1.24.2';

export interface FerretDb {
  uri: string;
  close(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the binary is cached, so only the first run on a machine builds it. */
export function ferretDbBinaryPath(): string {
  if (process.env.FERRETDB_BIN) return process.env.FERRETDB_BIN;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'gatehouse', `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');
}

export function ensureFerretDbBinary(log: Logger): string {
  const binary = ferretDbBinaryPath();
  if (existsSync(binary)) return binary;
  log.info(`building FerretDB ${FERRETDB_VERSION} with Go into ${binary} (once per machine, about a minute)`);
  const build = spawnSync('bash', [join(repoRoot, 'scripts/build-ferretdb.sh'), binary], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, FERRETDB_VERSION },
  });
  if (build.status !== 0 || !existsSync(binary)) {
    throw new Error(`could not build FerretDB ${FERRETDB_VERSION}; install Go or set MONGODB_URI to a MongoDB 6+ server`);
  }
  return binary;
}

/**
 * Starts FerretDB (telemetry off) on a free local port: on SQLite files in
 * `dataDir`, or on PostgreSQL when `postgresqlUrl` is given (the
 * `FERRETDB_POSTGRESQL_URL` setting), which is much faster for the approval
 * store (see the README's benchmarks).
 */
export async function startFerretDb(options: { dataDir: string; log: Logger; port?: number; postgresqlUrl?: string }): Promise<FerretDb> {
  const binary = ensureFerretDbBinary(options.log);
  mkdirSync(options.dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const child = spawn(
    binary,
    [
      ...(options.postgresqlUrl
        ? ['--handler=postgresql', `--postgresql-url=${options.postgresqlUrl}`]
        : ['--handler=sqlite', `--sqlite-url=file:${resolve(options.dataDir)}/`]),
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      `--state-dir=${resolve(options.dataDir)}`,
      '--log-level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  await waitForPort(port, child, () => stderr);
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    close: () => stopChild(child),
  };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`FerretDB exited with code ${child.exitCode} before listening: ${output().trim()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`FerretDB did not listen on port ${port} within 15 s: ${output().trim()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
