import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authenticatedUser, authorizationFromParams, type Authenticator } from '../auth/createAuthenticator.ts';
import type { OperationHandlers, StreamContext } from './createOperationHandlers.ts';

/** A graphql-ws message is small; anything larger is refused by the socket. */
const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * graphql-ws on the gateway's `/graphql`: the token comes in the
 * `connection_init` payload; a bad one closes the socket with 4403.
 */
export function useWebSocketTransport(options: { httpServer: Server; schema: () => GraphQLSchema; handlers: OperationHandlers; authenticate: Authenticator }): {
  close(): Promise<void>;
} {
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: MAX_MESSAGE_BYTES });
  const server = useServer(
    {
      schema: () => options.schema(),
      onConnect: async (ctx) => {
        const authentication = await options.authenticate(authorizationFromParams(ctx.connectionParams));
        if (authentication.kind === 'invalid') {
          ctx.extra.socket.close(CloseCode.Forbidden, `Forbidden: ${authentication.reason}`);
          return false;
        }
        return true;
      },
      context: async (ctx): Promise<StreamContext> => ({
        userId: await authenticatedUser(options.authenticate, authorizationFromParams(ctx.connectionParams)),
      }),
      subscribe: (args) => options.handlers.subscribe(args),
      execute: (args) => options.handlers.execute(args),
    },
    wsServer,
  );
  return {
    close: async () => {
      await server.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
