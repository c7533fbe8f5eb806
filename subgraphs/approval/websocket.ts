import type { Server } from 'node:http';
import type { DocumentNode, FormattedExecutionResult, GraphQLError as GraphQLErrorType, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createErrorMasker } from '../../lib/errors/createErrorMasker.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { unauthenticated, type ApprovalContext } from './context.ts';
import { takePushTrace } from './pushTraces.ts';
import { graphql } from './graphqlRuntime.ts';

const { getOperationAST, GraphQLError, OperationTypeNode, parse, validate } = graphql;

export interface SubscriptionServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  /** Same path as GraphQL over HTTP: `/graphql`. */
  path: string;
  contextFor: (authorization: string | undefined) => Promise<ApprovalContext>;
  log: Logger;
}

/** How long closing waits for clients to answer the close handshake. */
const CLOSE_GRACE_MS = 2000;

/**
 * graphql-ws on the subgraph's own HTTP server. Identity is per operation:
 * `payload.extensions.authorization` of the subscribe message when present
 * (the gateway multiplexes many users over one socket), else the
 * `connection_init` payload's `Authorization`. Every failure is reported on
 * its own operation; the socket stays up for the other operations on it.
 */
export function serveSubscriptions(options: SubscriptionServerOptions): () => Promise<void> {
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path });
  // A failing stream (say, the database gone) has an original error beneath: masked as over HTTP
  // (lib/subgraph/serveSubgraph.ts) and logged under the id the client gets. Refusals pass as they are.
  const mask = createErrorMasker({ where: 'subgraph approval', log: options.log });
  const format = (error: GraphQLErrorType): GraphQLFormattedError => (error.originalError ? mask(error.toJSON(), error) : error.toJSON());
  const server = useServer(
    {
      schema: options.schema,
      onSubscribe: async (ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(errorMessage(error))];
        }
        const invalid = validate(options.schema, document);
        if (invalid.length > 0) return invalid;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Unable to identify the operation to run')];
        const authorization = findAuthorization(payload.extensions) ?? findAuthorization(ctx.connectionParams);
        const contextValue = await options.contextFor(authorization);
        if (operation.operation === OperationTypeNode.SUBSCRIPTION && contextValue.userId === null) {
          const why = contextValue.authError?.message ?? 'no token was given';
          return [unauthenticated(`a subscription needs a signed-in user (${why}); send Authorization: Bearer <token>`)];
        }
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        // A traced push names its span in `extensions`, as a message's headers would: the gateway continues that trace.
        const traced = takePushTrace(args.contextValue as object);
        if (!result.errors && !traced) return undefined;
        const sent: FormattedExecutionResult = { ...result, errors: result.errors?.map(format) };
        if (!sent.errors) delete sent.errors;
        if (traced) sent.extensions = { ...result.extensions, ...traced };
        return sent;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(format),
    },
    wss,
  );

  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
    const disposed = Promise.resolve(server.dispose()).catch(() => undefined);
    await Promise.race([disposed, grace]);
    clearTimeout(timer);
    // Clients that never answered the close handshake are cut off.
    for (const client of wss.clients) client.terminate();
    await disposed;
  };
}

/** An `Authorization` value from a payload object, whatever the key's case. */
function findAuthorization(source: Readonly<Record<string, unknown>> | null | undefined): string | undefined {
  if (!source) return undefined;
  for (const [key, value] of Object.entries(source)) {
    if (key.toLowerCase() === 'authorization' && typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}
