import type { Express, NextFunction, Request, Response } from 'express';
import express from 'express';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { authenticatedUser, type Authenticator } from '../auth/createAuthenticator.ts';
import { CLIENT_NAME_HEADER, clientNameOf, readOperationFields, useQuery } from '../persisted/createPersistedOperations.ts';
import type { OperationHandlers, StreamContext } from './createOperationHandlers.ts';
import type { StreamTransportEdge } from './createStreamEdge.ts';
import { notReady } from './notReady.ts';

/** As `/graphql` over HTTP. */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * GraphQL over Server-Sent Events (graphql-sse, distinct connections mode) on
 * `/graphql`: requests that accept `text/event-stream` are streamed, the rest
 * fall through to Apollo Server. With the edge, each stream is one request
 * against the caller's budgets and one of the user's open connections, its
 * operation is checked against the trusted documents (an id becomes its
 * text) and held to the operation limits; a refusal is streamed as the
 * protocol says, a `next` event with the error and then `complete`.
 */
export function useSseTransport(
  app: Express,
  options: { schema: () => GraphQLSchema; handlers: OperationHandlers; authenticate: Authenticator; edge?: StreamTransportEdge },
): void {
  const contextOf = async (authorization: string | null | undefined, clientName: string | null | undefined): Promise<StreamContext> => ({
    userId: await authenticatedUser(options.authenticate, authorization ?? undefined),
    clientName: clientNameOf(clientName ?? undefined),
  });
  const { edge } = options;
  const handler = createHandler<StreamContext>({
    schema: () => options.schema(),
    context: async (req) => contextOf(req.headers.get('authorization'), req.headers.get(CLIENT_NAME_HEADER)),
    ...(edge
      ? {
          onSubscribe: async (req, params) => {
            let schema: GraphQLSchema;
            try {
              schema = options.schema();
            } catch {
              return refusalEvents([notReady()]);
            }
            const client = clientNameOf(req.headers.get(CLIENT_NAME_HEADER) ?? undefined);
            const prepared = edge.prepare(schema, { query: params.query, operationName: params.operationName, variables: params.variables }, client);
            if (!('document' in prepared)) return refusalEvents(prepared);
            return { ...prepared, contextValue: await contextOf(req.headers.get('authorization'), client) };
          },
        }
      : {}),
    subscribe: (args) => options.handlers.subscribe(args),
    execute: (args) => options.handlers.execute(args),
  });
  const parseJson = express.json({ limit: MAX_BODY_BYTES });
  app.use('/graphql', async (req: Request, res: Response, next: NextFunction) => {
    if (!req.headers.accept?.includes('text/event-stream')) return next();
    const authentication = await options.authenticate(req.headers.authorization);
    if (authentication.kind === 'invalid') {
      res.status(401).json({ errors: [{ message: authentication.reason, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    try {
      if (edge) {
        const caller = { client: clientNameOf(req.headers[CLIENT_NAME_HEADER]), user: authentication.kind === 'user' ? authentication.userId : null };
        const opened = await edge.stream.open(caller, { countRequest: true });
        if (!opened.ok) return refuse(res, opened.error);
        res.once('close', opened.release);
        if (req.method === 'POST') await new Promise<void>((resolve, reject) => parseJson(req, res, (error?: Error) => (error ? reject(error) : resolve())));
        const fields = readOperationFields(req);
        if (fields) {
          const admitted = await edge.stream.admit(caller, fields, { countRequest: false });
          if (!admitted.ok) return refuse(res, admitted.error);
          useQuery(req, admitted.query);
        }
      }
      await handler(req, res);
    } catch (error) {
      next(error);
    }
  });
}

/** The protocol's way to report an error found before execution: on an accepted stream, a `next` event carrying it, then `complete`. */
function refuse(res: Response, error: GraphQLError): void {
  const [body, init] = refusalEvents([error]);
  res.writeHead(init.status, init.headers).end(body);
}

/**
 * The same refusal as graphql-sse's handler takes it from `onSubscribe` (a
 * response to send as is: an `{ errors }` result without `data` would be read
 * as operation arguments and answered 400).
 */
function refusalEvents(errors: readonly GraphQLError[]): readonly [string, { status: number; statusText: string; headers: Record<string, string> }] {
  const retryAfter = errors.find((e) => typeof e.extensions.retryAfterSeconds === 'number')?.extensions.retryAfterSeconds;
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}),
  };
  return [
    `event: next\ndata: ${JSON.stringify({ errors: errors.map((e) => e.toJSON()) })}\n\nevent: complete\ndata: \n\n`,
    { status: 200, statusText: 'OK', headers },
  ] as const;
}
