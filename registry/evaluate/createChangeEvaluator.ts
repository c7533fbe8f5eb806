import type { SubgraphDefinition } from '../../composition/subgraphDefinition.ts';
import { envInt } from '../../lib/env.ts';
import { BudgetExceededError, createBudgetedWorker, type WorkerBudget } from '../../lib/worker/createBudgetedWorker.ts';
import type { evaluateChange } from './evaluateChange.ts';
import type { EvaluateJob } from './evaluateJob.ts';
import type { LimitedVerdict } from './evaluateWithinLimits.ts';

export interface ChangeEvaluator {
  /** The first publish limit `subgraph` is over, as one sentence; null when within them. */
  checkLimits(subgraph: SubgraphDefinition): Promise<string | null>;
  /** evaluateChange behind the limits, off this thread; over the budget it is a 'limits' refusal. */
  evaluate(...args: Parameters<typeof evaluateChange>): Promise<LimitedVerdict>;
  /** The operations that do not validate against the supergraph's API schema, one sentence each (validateOperations.ts). */
  validateOperations(supergraphSdl: string, operations: ReadonlyArray<{ id: string; name: string | null; body: string }>): Promise<string[]>;
  close(): Promise<void>;
}

/** Checking the limits is linear in an SDL of at most 512 KiB: well under a second, a thread's start included. */
const LIMITS_TIMEOUT_MS = 10_000;

/**
 * `GATEHOUSE_COMPOSE_TIMEOUT_MS` and `GATEHOUSE_COMPOSE_HEAP_MB`: a change at
 * the publish limits composes in about 4 s on a 2-core machine; the budget
 * leaves room for a machine busy with other work.
 */
export function composeBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerBudget {
  return { timeoutMs: envInt('GATEHOUSE_COMPOSE_TIMEOUT_MS', 60_000, env), maxHeapMb: envInt('GATEHOUSE_COMPOSE_HEAP_MB', 1024, env) };
}

/**
 * Composition and the breaking-change check run on a worker thread with a
 * time and memory budget, so a large publish never stalls the registry's
 * HTTP thread (its health check, reads, other teams' requests).
 */
export function createChangeEvaluator(budget: WorkerBudget = composeBudgetFromEnv()): ChangeEvaluator {
  const worker = createBudgetedWorker<[EvaluateJob], LimitedVerdict | string[] | string | null>(
    new URL('./evaluateJob.ts', import.meta.url),
    budget,
    'composing the supergraph with this change',
  );
  const refusal = (error: unknown) => {
    if (error instanceof BudgetExceededError) return error.message;
    throw error;
  };
  return {
    async checkLimits(subgraph) {
      try {
        return (await worker.runWithin(LIMITS_TIMEOUT_MS, { kind: 'limits', subgraph })) as string | null;
      } catch (error) {
        return refusal(error);
      }
    },
    async evaluate(...args) {
      try {
        return (await worker.run({ kind: 'evaluate', args })) as LimitedVerdict;
      } catch (error) {
        return { ok: false, reason: 'limits', errors: [refusal(error)] };
      }
    },
    async validateOperations(supergraphSdl, operations) {
      try {
        return (await worker.run({ kind: 'operations', supergraphSdl, operations: operations.map(({ id, name, body }) => ({ id, name, body })) })) as string[];
      } catch (error) {
        return [refusal(error)];
      }
    },
    close: () => worker.close(),
  };
}

let shared: ChangeEvaluator | undefined;

/** One evaluator for every registry in this process (replicas in a test), budget from the environment. */
export function sharedChangeEvaluator(): ChangeEvaluator {
  shared ??= createChangeEvaluator();
  return shared;
}
