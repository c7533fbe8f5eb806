import type { ApolloServer } from '@apollo/server';
import type { RequestHandler, Response } from 'express';
import { GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../auth/gatewayContext.ts';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { acceptsIncremental } from './acceptsIncremental.ts';
import { hasActiveDefer } from './activeDefers.ts';
import { withDeferredDelivery, type DeferredDelivery } from './deferredDelivery.ts';
import type { SubsequentPayload } from './executeDeferred.ts';
import { writeMultipart } from './writeMultipart.ts';

export interface MultipartDeferOptions {
  apollo: ApolloServer<GatewayContext>;
  hold(version: SupergraphVersion): () => void;
  /** The gateway's error masking, applied to deferred payloads as Apollo Server applies it to the first. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
}

/**
 * `/graphql` POSTs that accept multipart/mixed;deferSpec=20220824 and carry
 * an active @defer: run through Apollo Server's own pipeline (limits,
 * validation, cost, masking) with a DeferredDelivery in the context, then
 * streamed as multipart parts. Everything else goes on to Apollo Server,
 * which runs @defer inline (one ordinary response, same data).
 */
export function useMultipartDefer(options: MultipartDeferOptions): RequestHandler {
  return (req, res, next) => {
    const body = req.body as { query?: unknown; variables?: unknown; operationName?: unknown; extensions?: unknown } | undefined;
    if (req.method !== 'POST' || !acceptsIncremental(req.headers.accept) || !req.is('application/json') || typeof body?.query !== 'string') return next();
    const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
    try {
      if (!hasActiveDefer(parse(body.query, { noLocation: true, maxTokens: 10_000 }), variables)) return next();
    } catch {
      // Apollo Server reports the syntax error as it always does.
      return next();
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const delivery: DeferredDelivery = { signal: abort.signal, hold: options.hold };
    const userId = (res.locals.userId as string | undefined) ?? null;
    streamDeferred(options, res, delivery, {
      query: body.query,
      variables,
      operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
      extensions: (body.extensions ?? undefined) as Record<string, unknown> | undefined,
    }, userId).catch(next);
  };
}

async function streamDeferred(
  options: MultipartDeferOptions,
  res: Response,
  delivery: DeferredDelivery,
  request: { query: string; variables: Record<string, unknown>; operationName?: string; extensions?: Record<string, unknown> },
  userId: string | null,
): Promise<void> {
  const response = await options.apollo.executeOperation(request, { contextValue: withDeferredDelivery({ userId }, delivery) });
  const execution = delivery.execution;
  if (response.body.kind !== 'single') throw new Error('Apollo Server answered incrementally on its own; the gateway cannot stream that');
  const { singleResult } = response.body;
  for (const [name, value] of response.http.headers) res.setHeader(name, value);
  // Refused before execution (limits, validation) or nothing deferred after all: one ordinary answer.
  if (!execution) {
    res.status(response.http.status ?? 200).json(singleResult);
    return;
  }
  const format = (errors: readonly GraphQLError[] | undefined) => errors?.map((e) => options.formatError(e.toJSON(), e));
  const rest = (async function* () {
    for await (const payload of execution.subsequent) yield formatPayload(payload, format);
  })();
  const completed = await writeMultipart(res, { ...singleResult, hasNext: execution.hasNext }, execution.hasNext ? rest : emptyStream());
  if (!completed) await execution.subsequent.return?.();
}

function formatPayload(payload: SubsequentPayload, format: (errors: readonly GraphQLError[] | undefined) => GraphQLFormattedError[] | undefined) {
  return {
    incremental: payload.incremental.map(({ errors, ...item }) => (errors ? { ...item, errors: format(errors) } : item)),
    hasNext: payload.hasNext,
  };
}

async function* emptyStream(): AsyncGenerator<{ hasNext: boolean }> {}
