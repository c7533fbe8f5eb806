import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ExitedService {
  /** Null when it was still running after `timeoutMs` (then it was killed). */
  code: number | null;
  stderr: string;
}

/**
 * Runs a service's main the way a deployment would and waits for it to exit
 * on its own; one still running after `timeoutMs` is killed and reported with
 * code null (it started when it should have refused to).
 */
export function runToExit(entry: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ExitedService> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(repoRoot, entry)], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code: timedOut ? null : code, stderr });
    });
  });
}
