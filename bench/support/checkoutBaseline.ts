/**
 * The source tree of an earlier commit, to run its gateway (or whole system)
 * beside today's: the commit's files exported into a temporary directory
 * (`git archive`, so the repository's own state is never touched and a
 * killed run leaves only a temporary directory), with this tree's
 * node_modules linked in.
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface BaselineCheckout {
  /** The full commit hash. */
  commit: string;
  root: string;
  close(): void;
}

export function checkoutBaseline(ref: string): BaselineCheckout {
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`BENCH_BASELINE_REF "${ref}" names no commit in this repository; set it to a commit, tag or branch (or "none" to skip the baseline)`);
  }
  const root = mkdtempSync(join(tmpdir(), `gatehouse-baseline-${commit.slice(0, 8)}-`));
  try {
    // `commit` is a verified hex hash and `root` our own temp path: safe in a shell pipeline.
    execSync(`git archive --format=tar ${commit} | tar -x -C '${root}'`, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`cannot export commit ${commit} for the baseline: ${(error as Error).message}`);
  }
  return { commit, root, close: () => rmSync(root, { recursive: true, force: true }) };
}
