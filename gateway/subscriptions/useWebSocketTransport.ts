import type { IncomingMessage, Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { CloseCode, type Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { authenticatedUser, authorizationFromParams, type Authenticator } from '../auth/createAuthenticator.ts';
import { CLIENT_NAME_HEADER, clientNameOf } from '../persisted/createPersistedOperations.ts';
import type { OperationHandlers, StreamContext } from './createOperationHandlers.ts';
import type { StreamCaller, StreamTransportEdge } from './createStreamEdge.ts';
import { notReady } from './notReady.ts';

/** A graphql-ws message is small; anything larger is refused by the socket. */
const MAX_MESSAGE_BYTES = 256 * 1024;
/** RFC 6455's "Try Again Later": graphql-ws clients retry it with their backoff, unlike 44xx codes. */
const TRY_AGAIN_LATER = 1013;

type Extra = { socket: WebSocket; request: IncomingMessage };

/**
 * graphql-ws on the gateway's `/graphql`: the token and the client's name
 * come in the `connection_init` payload (`Authorization`,
 * `apollographql-client-name`; the upgrade request's header names the client
 * when the payload does not); a bad token closes the socket with 4403.
 * With the edge, opening the connection counts as a request, each subscribe
 * is counted and checked against the trusted documents (a refusal is an
 * `error` message for that id, the socket stays open), and operations are
 * held to the operation limits.
 */
export function useWebSocketTransport(options: {
  httpServer: Server;
  schema: () => GraphQLSchema;
  handlers: OperationHandlers;
  authenticate: Authenticator;
  edge?: StreamTransportEdge;
}): {
  close(): Promise<void>;
} {
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: MAX_MESSAGE_BYTES });
  const callers = new WeakMap<Context, StreamCaller>();
  const server = useServer<Record<string, unknown>, Extra>(
    {
      schema: () => options.schema(),
      onConnect: async (ctx) => {
        const authentication = await options.authenticate(authorizationFromParams(ctx.connectionParams));
        if (authentication.kind === 'invalid') {
          ctx.extra.socket.close(CloseCode.Forbidden, `Forbidden: ${authentication.reason}`);
          return false;
        }
        const caller: StreamCaller = {
          client: clientNameOf(named(ctx.connectionParams?.[CLIENT_NAME_HEADER]) ?? ctx.extra.request.headers[CLIENT_NAME_HEADER]),
          user: authentication.kind === 'user' ? authentication.userId : null,
        };
        callers.set(ctx, caller);
        if (!options.edge) return true;
        const opened = await options.edge.stream.open(caller, { countRequest: true });
        if (!opened.ok) {
          ctx.extra.socket.close(TRY_AGAIN_LATER, closeReason(opened.error.message));
          return false;
        }
        // The socket may have gone while its budget was counted.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) opened.release();
        else ctx.extra.socket.once('close', opened.release);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const edge = options.edge;
        if (!edge) return undefined;
        const caller = callers.get(ctx) ?? { client: clientNameOf(undefined), user: null };
        const admitted = await edge.stream.admit(caller, payload, { countRequest: true });
        if (!admitted.ok) return [admitted.error];
        let schema: GraphQLSchema;
        try {
          schema = options.schema();
        } catch {
          return [notReady()];
        }
        const prepared = edge.prepare(schema, { query: admitted.query, operationName: payload.operationName, variables: payload.variables }, caller.client);
        return 'document' in prepared ? prepared : [...prepared];
      },
      context: async (ctx): Promise<StreamContext> => ({
        userId: callers.get(ctx)?.user ?? (await authenticatedUser(options.authenticate, authorizationFromParams(ctx.connectionParams))),
        clientName: callers.get(ctx)?.client,
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

function named(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A close frame's reason is at most 123 bytes. */
function closeReason(message: string): string {
  let reason = message;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -2) + '…';
  return reason;
}
