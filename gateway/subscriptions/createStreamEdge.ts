import { getOperationAST, GraphQLError, OperationTypeNode, type GraphQLSchema } from 'graphql';
import type { RateLimits } from '../limits/createRateLimits.ts';
import { rateLimitedError } from '../limits/rateLimitedError.ts';
import type { OperationLimits } from '../limits/operationLimits.ts';
import { createCostCheck } from '../limits/useDemandControl.ts';
import type { OperationFields, OperationResolver } from '../persisted/resolveOperation.ts';
import type { UsageReporter } from '../persisted/useUsageReport.ts';
import { createOperationPreparer, type OperationPreparer, type PreparedOperation } from './prepareStreamOperation.ts';

/** Who is on the other end of a WebSocket or an SSE stream, as the edge verified it. */
export interface StreamCaller {
  /** `apollographql-client-name`, or "(unnamed)". */
  client: string;
  /** The verified token's `sub`; null when anonymous. */
  user: string | null;
}

export type Admission<T> = ({ ok: true } & T) | { ok: false; error: GraphQLError };

export interface StreamEdge {
  /**
   * A WebSocket connection or an SSE stream opens: counts one request against
   * the caller's budgets (when told to) and holds one of the user's open
   * connections until `release`.
   */
  open(caller: StreamCaller, options: { countRequest: boolean }): Promise<Admission<{ release(): void }>>;
  /** One operation: counts one request (when told to), then trusted documents decide; the text to run. */
  admit(caller: StreamCaller, fields: OperationFields, options: { countRequest: boolean }): Promise<Admission<{ query: string }>>;
}

export interface StreamEdgeOptions {
  rateLimits: RateLimits;
  resolve: OperationResolver;
  /** Open WebSocket connections and SSE streams one signed-in user may hold at this replica; 0: no limit. */
  maxConnectionsPerUser: number;
}

/**
 * The public edge for the streaming transports: the same per-client and
 * per-user rate limits and trusted documents as `/graphql` over HTTP, and a
 * bound on how many connections one user holds open at a replica.
 */
export function createStreamEdge(options: StreamEdgeOptions): StreamEdge {
  const openByUser = new Map<string, number>();

  const count = async (caller: StreamCaller): Promise<GraphQLError | null> => {
    const verdict = await options.rateLimits.check(caller);
    if (verdict.allowed) return null;
    const { message, extensions } = rateLimitedError(verdict, caller.client);
    return new GraphQLError(message, { extensions });
  };

  return {
    async open(caller, { countRequest }) {
      const refused = countRequest ? await count(caller) : null;
      if (refused) return { ok: false, error: refused };
      const { user } = caller;
      if (user === null || options.maxConnectionsPerUser <= 0) return { ok: true, release: () => undefined };
      const held = openByUser.get(user) ?? 0;
      if (held >= options.maxConnectionsPerUser) {
        return {
          ok: false,
          error: new GraphQLError(
            `this user already holds ${held} open subscription connections at this gateway, the most allowed (GATEWAY_MAX_CONNECTIONS_PER_USER); close one first`,
            { extensions: { code: 'TOO_MANY_CONNECTIONS', limit: options.maxConnectionsPerUser } },
          ),
        };
      }
      openByUser.set(user, held + 1);
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          const left = (openByUser.get(user) ?? 1) - 1;
          if (left > 0) openByUser.set(user, left);
          else openByUser.delete(user);
        },
      };
    },
    async admit(caller, fields, { countRequest }) {
      const refused = countRequest ? await count(caller) : null;
      if (refused) return { ok: false, error: refused };
      const resolution = await options.resolve(fields, caller.client);
      if (!resolution.ok) return { ok: false, error: new GraphQLError(resolution.message, { extensions: { code: resolution.code } }) };
      const query = resolution.query ?? fields.query;
      if (typeof query !== 'string' || query === '') {
        return {
          ok: false,
          error: new GraphQLError('send the operation as query text or by id (extensions.persistedQuery.sha256Hash or documentId)', {
            extensions: { code: 'BAD_REQUEST' },
          }),
        };
      }
      return { ok: true, query };
    },
  };
}

/** What the WebSocket and SSE transports are given: the edge's admission and the operation limits' parser. */
export interface StreamTransportEdge {
  stream: StreamEdge;
  /**
   * Parses, validates and costs an operation as over HTTP; a subscription it
   * accepts is reported as `client`'s for usage-based schema checks (queries
   * and mutations are reported by Apollo Server, which runs them).
   */
  prepare(schema: GraphQLSchema, request: Parameters<OperationPreparer>[1], client: string): PreparedOperation | readonly GraphQLError[];
}

export interface StreamTransportEdgeOptions extends StreamEdgeOptions {
  limits: OperationLimits;
  /** The supergraph SDL a schema was built from, where `@cost` and `@listSize` are. */
  supergraphSdlOf(schema: GraphQLSchema): string | null;
  /** Where served subscriptions are counted for the registry; null when usage is not reported. */
  usage: Pick<UsageReporter, 'served'> | null;
}

/** The edge both streaming transports share, from the gateway's rate limits, trusted documents, operation limits and usage reports. */
export function createStreamTransportEdge(options: StreamTransportEdgeOptions): StreamTransportEdge {
  const { limits, usage } = options;
  const preparer = createOperationPreparer(
    limits,
    createCostCheck({ maxCost: limits.maxCost, defaultListSize: limits.defaultListSize, supergraphSdlOf: options.supergraphSdlOf }),
  );
  return {
    stream: createStreamEdge(options),
    prepare(schema, request, client) {
      const prepared = preparer(schema, request);
      if (!usage || !('document' in prepared)) return prepared;
      const operation = getOperationAST(prepared.document, request.operationName);
      if (operation?.operation === OperationTypeNode.SUBSCRIPTION) usage.served({ query: request.query, operationName: operation.name?.value ?? null, client });
      return prepared;
    },
  };
}
