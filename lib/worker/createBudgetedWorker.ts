import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { runnableEntry } from './runnableEntry.ts';

/** How much one job may cost before it is stopped. */
export interface WorkerBudget {
  /** Wall time of one job, queueing behind an earlier job included. */
  timeoutMs: number;
  /** The worker's V8 old generation; a job that needs more ends the worker. */
  maxHeapMb: number;
  /** The worker's stack; defaults to Node's 4 MB for workers. */
  stackSizeMb?: number;
}

/** A job stopped for going over its budget; `message` names the budget and the figure. */
export class BudgetExceededError extends Error {
  readonly code = 'BUDGET_EXCEEDED';

  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

export interface BudgetedWorker<Args extends unknown[], Result> {
  /** Runs the entry's default export on `args` (one tuple) in the worker; BudgetExceededError past the budget. */
  run(...args: Args): Promise<Result>;
  /** The same with its own time budget, for a job whose cost does not depend on the configured one. */
  runWithin(timeoutMs: number, ...args: Args): Promise<Result>;
  close(): Promise<void>;
}

/**
 * tsx's loader by absolute URL: the worker then runs TypeScript whatever the
 * current directory, and also when the parent is a vitest worker without tsx.
 */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * One long-lived worker thread (piscina) that runs `entry`'s default export,
 * one job at a time. A job past its time is ended by terminating the thread,
 * and a job that runs out of heap or stack ends its thread; piscina starts a
 * fresh one for the next job, so the caller's event loop never waits on it.
 * `what` names the work in refusals ("composing the supergraph").
 */
export function createBudgetedWorker<Args extends unknown[], Result>(entry: URL, budget: WorkerBudget, what: string): BudgetedWorker<Args, Result> {
  const pool = new Piscina<Args, Result>({
    filename: runnableEntry(entry).href,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: Number.MAX_SAFE_INTEGER,
    execArgv: ['--import', TSX_LOADER],
    resourceLimits: { maxOldGenerationSizeMb: budget.maxHeapMb, ...(budget.stackSizeMb ? { stackSizeMb: budget.stackSizeMb } : {}) },
  });
  const runWithin = async (timeoutMs: number, args: Args) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await pool.run(args, { signal });
    } catch (error) {
      if (signal.aborted) throw new BudgetExceededError(`${what} took longer than its budget of ${timeoutMs} ms and was stopped`);
      const code = (error as { code?: string }).code;
      if (code === 'ERR_WORKER_OUT_OF_MEMORY')
        throw new BudgetExceededError(`${what} needed more than its budget of ${budget.maxHeapMb} MB of memory and was stopped`);
      if (error instanceof RangeError && /call stack/i.test(error.message))
        throw new BudgetExceededError(`${what} nested deeper than its stack allows and was stopped`);
      throw error;
    }
  };
  return {
    run: (...args) => runWithin(budget.timeoutMs, args),
    runWithin: (timeoutMs, ...args) => runWithin(timeoutMs, args),
    close: () => pool.destroy(),
  };
}
