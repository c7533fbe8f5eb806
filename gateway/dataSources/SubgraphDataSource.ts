import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';
import { userIdOf } from '../auth/gatewayContext.ts';
import type { IdentityForwarding } from '../auth/createIdentityForwarding.ts';
import type { SubgraphOutcome } from '../metrics/gatewayMetrics.ts';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** A subgraph that has not answered by then costs only its own fields. */
  deadlineMs: number;
  /** Told how long each fetch for a client's operation took and how it ended. */
  observe?: (subgraph: string, seconds: number, outcome: SubgraphOutcome) => void;
  /** The identity this subgraph gets for a caller, if any. */
  identity?: IdentityForwarding;
}

const deadlineFetch = (deadlineMs: number, agent: Agent): Fetcher =>
  ((url: string, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher: agent, signal: AbortSignal.timeout(deadlineMs) })) as unknown as Fetcher;

/**
 * Sends a subgraph its part of the plan within a deadline. When the subgraph
 * is down or late, the entities it was asked for get an error that names it
 * (so the client sees which mall is missing) and everything else still arrives.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource {
  private readonly name: string;
  private readonly deadlineMs: number;
  private readonly observe: SubgraphDataSourceOptions['observe'];
  private readonly identity: SubgraphDataSourceOptions['identity'];
  /** Its own connection pool, so a subgraph removed by a reload leaves no sockets behind. */
  private readonly agent: Agent;

  constructor(options: SubgraphDataSourceOptions) {
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    super({ url: options.url, fetcher: deadlineFetch(options.deadlineMs, agent) });
    this.agent = agent;
    this.name = options.name;
    this.deadlineMs = options.deadlineMs;
    this.observe = options.observe;
    this.identity = options.identity;
  }

  /** Closes the pool once in-flight requests finish. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Never the caller's token: at most an assertion made for this subgraph alone. */
  override async willSendRequest(options: GraphQLDataSourceProcessOptions): Promise<void> {
    const authorization = await this.identity?.(this.name, userIdOf(options.context));
    if (authorization) options.request.http?.headers.set('authorization', authorization);
  }

  override async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const started = performance.now();
    const observed = (outcome: SubgraphOutcome) => {
      // Health checks and schema loads are not clients' fetches.
      if ('incomingRequestContext' in options) this.observe?.(this.name, (performance.now() - started) / 1000, outcome);
    };
    try {
      const response = await super.process(options);
      observed(response.errors?.length ? 'errors' : 'ok');
      return response;
    } catch (error) {
      // Health checks and schema loads report failures as they are.
      if (!('incomingRequestContext' in options)) throw error;
      observed(isTimeout(error) ? 'timeout' : 'unavailable');
      const message = this.describe(error);
      const representations = options.request.variables?.representations;
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

  private describe(error: unknown): string {
    const err = error as { name?: string; message?: string; cause?: { code?: string } };
    if (isTimeout(error)) {
      return `subgraph "${this.name}" did not answer within ${this.deadlineMs} ms; its part of the result is missing`;
    }
    const reason = err.cause?.code ?? err.message ?? String(error);
    return `subgraph "${this.name}" failed (${reason}); its part of the result is missing`;
  }
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TimeoutError' || name === 'AbortError';
}
