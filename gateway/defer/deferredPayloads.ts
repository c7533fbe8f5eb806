/** Shaping what a deferred run returns into the payloads the client gets, errors at client paths. */
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import type { Item } from './deferredItems.ts';
import { batchPath, startsWith, valueAt, type BatchLayout, type Raw, type ResponsePath } from './rawPaths.ts';

export interface IncrementalPayload {
  data: Record<string, unknown> | null;
  path: ResponsePath;
  label?: string;
  errors?: readonly GraphQLError[];
}

export interface SubsequentPayload {
  incremental: IncrementalPayload[];
  hasNext: boolean;
}

/** An item after its first stage: the raw data that stage added, and its errors at the item's client path. */
export function keepFirstStage(item: Item, result: GatewayExecutionResult, raw: Raw): void {
  const { single } = item.fragment.layout;
  const value = valueAt(raw, single);
  if (value && typeof value === 'object') item.value = value as Raw;
  const toClientPath = (path: ResponsePath) => [...item.clientPath, ...(startsWith(path, single) ? path.slice(single.length) : [])];
  item.errors = (result.errors ?? []).map((e) => withPath(e, e.path ? toClientPath([...e.path]) : undefined));
}

/**
 * One payload per item of a batch run, each with its data and the errors at
 * or below its path (an error at no item's path goes with the first), and
 * the mapping from the run's paths to the client's.
 */
export function batchPayloads(
  items: readonly Item[],
  layout: BatchLayout,
  result: GatewayExecutionResult,
): { payloads: IncrementalPayload[]; toClientPath: (path: ResponsePath) => ResponsePath } {
  const toClientPath = (path: ResponsePath) => {
    const index = layout.at === -1 ? 0 : path[layout.at];
    const item = typeof index === 'number' ? items[index] : undefined;
    return item && startsWith(path, batchPath(layout, index as number)) ? [...item.clientPath, ...path.slice(layout.single.length)] : path;
  };
  const payloads = items.map((item, index) => itemPayload(item, valueAt(result.data, batchPath(layout, index))));
  for (const error of result.errors ?? []) {
    const path = error.path ? toClientPath([...error.path]) : undefined;
    const owner = payloads.find((p) => path && startsWith(path, p.path)) ?? payloads[0]!;
    owner.errors = [...(owner.errors ?? []), withPath(error, path)];
  }
  return { payloads, toClientPath };
}

export function failedPayload(item: Item, error: unknown): IncrementalPayload {
  const path = item.clientPath;
  const { label } = item.fragment;
  const message = `the deferred part at ${path.join('.') || 'the root'} failed (${(error as Error).message ?? String(error)}); ask again without @defer`;
  return { data: null, path, ...(label === undefined ? {} : { label }), errors: [new GraphQLError(message, { path })] };
}

function itemPayload(item: Item, data: unknown): IncrementalPayload {
  const { label } = item.fragment;
  return {
    data: data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null,
    path: item.clientPath,
    ...(label === undefined ? {} : { label }),
    ...(item.errors.length > 0 ? { errors: item.errors } : {}),
  };
}

function withPath(error: GraphQLError, path: ResponsePath | undefined): GraphQLError {
  if (!path) return error;
  return new GraphQLError(error.message, { path, extensions: error.extensions, originalError: error.originalError });
}
