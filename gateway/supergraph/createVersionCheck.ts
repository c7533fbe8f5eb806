import { envInt } from '../../lib/env.ts';
import { createBudgetedWorker, type WorkerBudget } from '../../lib/worker/createBudgetedWorker.ts';

export interface VersionCheck {
  /** Builds a candidate supergraph on a worker thread; rejects (BudgetExceededError, or why it does not build) if it cannot serve. */
  check(sdl: string): Promise<{ buildMs: number }>;
  close(): Promise<void>;
}

/**
 * `GATEHOUSE_BUILD_TIMEOUT_MS` and `GATEHOUSE_BUILD_HEAP_MB`. A supergraph at
 * the registry's limits builds in under a second on an idle
 * 2-core machine; the budget leaves room for a busy one. The stack is kept
 * below the serving thread's (V8's default of 984 KB; a worker's JS stack is
 * `stackSizeMb` less 192 KB), so a candidate whose build recurses too deep
 * fails here rather than there.
 */
export function versionBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerBudget {
  return { timeoutMs: envInt('GATEHOUSE_BUILD_TIMEOUT_MS', 30_000, env), maxHeapMb: envInt('GATEHOUSE_BUILD_HEAP_MB', 512, env), stackSizeMb: 1 };
}

/**
 * A gateway tries each new supergraph on a worker thread with a time and
 * memory budget before its serving thread builds it, so a candidate too big
 * to build cheaply is refused without stalling requests or growing the
 * serving process.
 */
export function createVersionCheck(budget: WorkerBudget = versionBudgetFromEnv()): VersionCheck {
  const worker = createBudgetedWorker<[string], { buildMs: number }>(new URL('./versionCheckJob.ts', import.meta.url), budget, 'building the new supergraph');
  return { check: (sdl) => worker.run(sdl), close: () => worker.close() };
}
