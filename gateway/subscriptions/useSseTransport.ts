import type { Express, NextFunction, Request, Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { authenticatedUser, type Authenticator } from '../auth/createAuthenticator.ts';
import type { OperationHandlers, StreamContext } from './createOperationHandlers.ts';

/**
 * GraphQL over Server-Sent Events (graphql-sse, distinct connections mode) on
 * `/graphql`: requests that accept `text/event-stream` are streamed, the rest
 * fall through to Apollo Server.
 */
export function useSseTransport(app: Express, options: { schema: () => GraphQLSchema; handlers: OperationHandlers; authenticate: Authenticator }): void {
  const handler = createHandler<StreamContext>({
    schema: () => options.schema(),
    context: async (req) => ({ userId: await authenticatedUser(options.authenticate, req.headers.get('authorization') ?? undefined) }),
    subscribe: (args) => options.handlers.subscribe(args),
    execute: (args) => options.handlers.execute(args),
  });
  app.use('/graphql', async (req: Request, res: Response, next: NextFunction) => {
    if (!req.headers.accept?.includes('text/event-stream')) return next();
    const authentication = await options.authenticate(req.headers.authorization);
    if (authentication.kind === 'invalid') {
      res.status(401).json({ errors: [{ message: authentication.reason, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    try {
      await handler(req, res);
    } catch (error) {
      next(error);
    }
  });
}
