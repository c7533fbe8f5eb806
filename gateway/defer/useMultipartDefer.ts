import type { RequestHandler } from 'express';
import { parse } from 'graphql';
import { acceptsIncremental } from './acceptsIncremental.ts';
import { hasActiveDefer } from './activeDefers.ts';
import { executeIncrementally, type IncrementalOptions } from './executeIncrementally.ts';
import { writeMultipart } from './writeMultipart.ts';

/**
 * `/graphql` POSTs that accept multipart/mixed;deferSpec=20220824 and carry
 * an active @defer are streamed as multipart parts (executeIncrementally).
 * Everything else goes on to Apollo Server, which runs @defer inline: one
 * ordinary response, same data.
 */
export function useMultipartDefer(options: IncrementalOptions): RequestHandler {
  return (req, res, next) => {
    const body = req.body as { query?: unknown; variables?: unknown; operationName?: unknown; extensions?: unknown } | undefined;
    // JSON bodies only: a request a browser can send cross-site without preflight is left to Apollo Server's CSRF check.
    if (req.method !== 'POST' || !acceptsIncremental(req.headers.accept) || !req.is('application/json') || typeof body?.query !== 'string') return next();
    const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
    try {
      if (!hasActiveDefer(parse(body.query, { noLocation: true }), variables)) return next();
    } catch {
      // Apollo Server reports the syntax error as it always does.
      return next();
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const request = {
      query: body.query,
      variables,
      operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
      extensions: (body.extensions ?? undefined) as Record<string, unknown> | undefined,
    };
    const stream = async () => {
      const outcome = await executeIncrementally(options, request, (res.locals.userId as string | undefined) ?? null, abort.signal);
      for (const [name, value] of outcome.headers) res.setHeader(name, value);
      if (outcome.kind === 'single') return void res.status(outcome.status).json(outcome.result);
      const completed = await writeMultipart(res, outcome.first, outcome.first.hasNext ? outcome.rest : noMore());
      if (!completed) await outcome.rest.return?.();
    };
    stream().catch(next);
  };
}

async function* noMore(): AsyncGenerator<{ hasNext: boolean }> {}
