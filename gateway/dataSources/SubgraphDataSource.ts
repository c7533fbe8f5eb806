import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import { userIdOf } from '../auth/gatewayContext.ts';
import { abortSignalOf } from '../defer/deferredDelivery.ts';
import type { IdentityForwarding } from '../auth/createIdentityForwarding.ts';
import type { SubgraphOutcome } from '../metrics/gatewayMetrics.ts';
import { copyJson } from './copyJson.ts';
import { createRequestSharing, type RequestSharing } from './createRequestSharing.ts';
import { isShareableFetch } from './isShareableFetch.ts';
import { postJson, SubgraphFetchError, type JsonReply } from './postJson.ts';
import { restrictCachePolicy } from './restrictCachePolicy.ts';
import { withTraceHeaders } from '../../lib/tracing/traceHeaders.ts';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** A subgraph that has not answered by then costs only its own fields. */
  deadlineMs: number;
  /** Told how long each fetch for a client's operation took and how it ended. */
  observe?: (subgraph: string, seconds: number, outcome: SubgraphOutcome) => void;
  /** The identity this subgraph gets for a caller, if any. */
  identity?: IdentityForwarding;
  /** Identical reads in flight share one HTTP request; default true. */
  shareRequests?: boolean;
}

/**
 * Sends a subgraph its part of the plan within a deadline, over undici's
 * `request()` (no fetch(), no Request objects). When the subgraph is down or
 * late, the entities it was asked for get an error that names it (so the
 * client sees which mall is missing) and everything else still arrives.
 */
export class SubgraphDataSource implements GraphQLDataSource {
  private readonly name: string;
  private readonly deadlineMs: number;
  private readonly observe: SubgraphDataSourceOptions['observe'];
  private readonly identity: SubgraphDataSourceOptions['identity'];
  private readonly origin: string;
  private readonly path: string;
  /** Its own connection pool, so a subgraph removed by a reload leaves no sockets behind. */
  private readonly agent = new Agent({ keepAliveTimeout: 10_000 });
  /** One per data source, hence per URL: the key holds the rest of what the subgraph receives. */
  private readonly sharing: RequestSharing<JsonReply> | null;

  constructor(options: SubgraphDataSourceOptions) {
    const url = new URL(options.url);
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    this.name = options.name;
    this.deadlineMs = options.deadlineMs;
    this.observe = options.observe;
    this.identity = options.identity;
    this.sharing =
      options.shareRequests === false
        ? null
        : createRequestSharing<JsonReply>({
            copy: (reply) => ({ body: copyJson(reply.body), cacheControl: reply.cacheControl }),
            copyError: (error) => (error instanceof SubgraphFetchError ? error.copy() : error),
            // As postJson reports its own signal: the fetch ended early, counted as a timeout.
            leftError: () => new SubgraphFetchError('the subgraph did not answer in time', { timeout: true }),
          });
  }

  /** Closes the pool once in-flight requests finish. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    // Health checks and schema loads are not clients' fetches: not timed, and their failures reported as they are.
    if (!('incomingRequestContext' in options)) return (await this.send(options)).body;
    const started = performance.now();
    const observed = (outcome: SubgraphOutcome) => this.observe?.(this.name, (performance.now() - started) / 1000, outcome);
    try {
      const reply = await this.send(options);
      restrictCachePolicy(options, reply.cacheControl);
      const response = reply.body as GatewayGraphQLResponse;
      observed(response.errors?.length ? 'errors' : 'ok');
      return response;
    } catch (error) {
      observed(isTimeout(error) ? 'timeout' : 'unavailable');
      const message = this.describe(error);
      const representations: unknown = options.request.variables?.representations;
      if (!Array.isArray(representations)) {
        throw new GraphQLError(message, { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: this.name } });
      }
      // One error per entity, pathed, so it lands on e.g. `malls.1` in the client's response.
      return {
        errors: representations.map((_, index) => ({
          message,
          path: ['_entities', index],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: this.name },
        })),
      };
    }
  }

  /** Never the caller's token: at most an assertion made for this subgraph alone. */
  private async send(options: GraphQLDataSourceProcessOptions): Promise<JsonReply> {
    const { request } = options;
    if (!request.query) throw new Error(`a fetch for subgraph "${this.name}" has no operation; this is a gateway bug`);
    const headers: Record<string, string> = {};
    // Only tracing sets headers on the plan's fetches (the federated trace request).
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    const authorization = this.identity ? await this.identity(this.name, userIdOf(options.context)) : undefined;
    if (authorization) headers.authorization = authorization;
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
    // The trace context goes on after the sharing key is taken: callers in different traces still share a fetch.
    // A deferred operation's fetches end when its client leaves (gateway/defer/): a shared one once no caller is left.
    const signal = abortSignalOf(options.context);
    const post = (cancel: AbortSignal | undefined) =>
      postJson(this.agent, { origin: this.origin, path: this.path, headers: withTraceHeaders(headers), body, deadlineMs: this.deadlineMs, signal: cancel });
    if (!this.sharing || !isShareableFetch(options)) return post(signal);
    // Everything the subgraph would receive besides the URL (fixed per data source): headers, identity included, and body.
    return this.sharing.run(`${JSON.stringify(headers)}\n${body}`, post, signal);
  }

  private describe(error: unknown): string {
    if (isTimeout(error)) {
      return `subgraph "${this.name}" did not answer within ${this.deadlineMs} ms; its part of the result is missing`;
    }
    const err = error as { message?: string; cause?: { code?: string } };
    const reason = err.cause?.code ?? err.message ?? String(error);
    return `subgraph "${this.name}" failed (${reason}); its part of the result is missing`;
  }
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TimeoutError' || name === 'AbortError';
}
