import type { ExecutionResult } from 'graphql';
import { executeIncrementally, type GraphQLRequestBody, type IncrementalOptions } from './executeIncrementally.ts';

/**
 * The payloads of a deferred operation as one stream of results, for
 * graphql-ws (`next` messages) and graphql-sse (events): the first payload,
 * then the deferred ones, each as its own message. The client completing
 * or leaving calls `return()`: what is still running is cancelled.
 */
export function streamIncrementally(options: IncrementalOptions, request: GraphQLRequestBody, userId: string | null): AsyncIterableIterator<ExecutionResult> {
  const abort = new AbortController();
  const outcome = executeIncrementally(options, request, userId, abort.signal);
  let first = true;
  let finished = false;
  const done = { done: true, value: undefined } as const;
  // The transports serialise these as they are; the incremental shape is not graphql-js's ExecutionResult type.
  const asResult = (payload: object) => payload as ExecutionResult;
  return {
    async next() {
      if (finished) return done;
      const settled = await outcome;
      if (first) {
        first = false;
        if (settled.kind === 'single') {
          finished = true;
          return { done: false, value: asResult(settled.result) };
        }
        if (!settled.first.hasNext) finished = true;
        return { done: false, value: asResult(settled.first) };
      }
      if (settled.kind === 'single') return done;
      const step = await settled.rest.next();
      if (step.done) {
        finished = true;
        return done;
      }
      if (!step.value.hasNext) finished = true;
      return { done: false, value: asResult(step.value) };
    },
    async return() {
      finished = true;
      abort.abort();
      const settled = await outcome.catch(() => null);
      if (settled?.kind === 'incremental') await settled.rest.return?.();
      return done;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
