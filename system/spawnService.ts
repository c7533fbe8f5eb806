import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServiceSpec {
  name: string;
  /** Entry file, relative to the repository root (or absolute). */
  entry: string;
  /** Arguments after the entry file (a CLI command's, say). */
  args?: string[];
  env: Record<string, string>;
  /** Polled until it answers 2xx; without one, the service counts as ready once it has not exited for a moment. */
  readyUrl?: string;
}

export interface ServiceProcess {
  name: string;
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL at once: a crash. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  /** `inherit` prints the service's log lines prefixed; otherwise they go to `<logDir>/<name>.log`. */
  logs: 'inherit' | { logDir: string };
  readyTimeoutMs?: number;
}

/** Runs one service as its own Node process and waits until it is ready. */
export async function spawnService(spec: ServiceSpec, options: SpawnOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(repoRoot, spec.entry), ...(spec.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logFile = options.logs === 'inherit' ? null : join(options.logs.logDir, `${spec.name}.log`);
  const sink: WriteStream | null = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
  let tail = '';
  const forward = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-3000);
    if (sink) sink.write(chunk);
    else process.stderr.write(prefixLines(spec.name, chunk.toString()));
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('close', () => sink?.end()); // 'close' comes once the output pipes are drained, so no write lands after end

  try {
    await waitUntilReady(spec, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- last output of ${spec.name}${logFile ? ` (${logFile})` : ''} ---\n${tail.trim()}`);
  }
  const terminate = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.kill(signal);
    await exited;
    clearTimeout(force);
  };
  return {
    name: spec.name,
    get pid() {
      return child.pid;
    },
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
  };
}

async function waitUntilReady(spec: ServiceSpec, child: ChildProcess, timeoutMs: number): Promise<void> {
  if (!spec.readyUrl) {
    await new Promise((r) => setTimeout(r, 1000));
    if (child.exitCode !== null) throw new Error(`${spec.name} exited with code ${child.exitCode} while starting`);
    return;
  }
  const readyUrl = spec.readyUrl;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited with code ${child.exitCode} while starting`);
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${spec.name} was not ready at ${readyUrl} within ${timeoutMs} ms`);
}

function prefixLines(name: string, text: string): string {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => `[${name}] ${line}\n`)
    .join('');
}
