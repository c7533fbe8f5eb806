/**
 * The registry's composition thread (see createChangeEvaluator.ts): checks a
 * subgraph against the publish limits, or decides a whole change.
 */
import type { SubgraphDefinition } from '../../composition/subgraphDefinition.ts';
import { lowerThreadPriority } from '../../lib/worker/lowerThreadPriority.ts';
import { checkSubgraphLimits } from './checkSubgraphLimits.ts';
import type { evaluateChange } from './evaluateChange.ts';
import { evaluateWithinLimits, type LimitedVerdict } from './evaluateWithinLimits.ts';
import { apiSchemaOf } from './findBreakingChanges.ts';
import { invalidOperations } from './validateOperations.ts';

export type EvaluateJob =
  | { kind: 'limits'; subgraph: SubgraphDefinition }
  | { kind: 'evaluate'; args: Parameters<typeof evaluateChange> }
  /** A manifest's operations against the current supergraph's API schema. */
  | { kind: 'operations'; supergraphSdl: string; operations: Parameters<typeof invalidOperations>[1] };

lowerThreadPriority();

export default function evaluateJob([job]: [EvaluateJob]): LimitedVerdict | string[] | string | null {
  if (job.kind === 'limits') return checkSubgraphLimits(job.subgraph.name, job.subgraph.sdl).error;
  if (job.kind === 'operations') return invalidOperations(apiSchemaOf(job.supergraphSdl), job.operations);
  return evaluateWithinLimits(...job.args);
}
