/**
 * Serves the four workload subgraphs from one HTTP server, at
 * `/<name>/graphql`, and counts the requests each receives (`GET /stats`).
 * Built to stay out of the way of the gateways it feeds: documents are parsed
 * and validated once, and since the data never changes, each distinct request
 * body is executed once and its response bytes are replayed after that.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { httpLimitsFromEnv } from '../../lib/http/httpLimits.ts';
import { listen } from '../../lib/http/listen.ts';
import { createWorkloadSchema, WORKLOAD_SUBGRAPH_NAMES, type WorkloadSubgraphName } from './workloadSubgraphs.ts';

/** Requests served per subgraph since the server started. */
export type WorkloadCalls = Record<WorkloadSubgraphName, number>;

export interface WorkloadServer {
  /** `http://host:port`; subgraph `name` is at `${url}/${name}/graphql`. */
  url: string;
  calls(): WorkloadCalls;
  close(): Promise<void>;
}

const MAX_REPLAYED = 10_000;

interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export async function createWorkloadServer(options: { port?: number; host?: string } = {}): Promise<WorkloadServer> {
  const schemas = new Map<string, GraphQLSchema>(WORKLOAD_SUBGRAPH_NAMES.map((name) => [name, createWorkloadSchema(name)]));
  const calls = Object.fromEntries(WORKLOAD_SUBGRAPH_NAMES.map((name) => [name, 0])) as WorkloadCalls;
  const documents = new Map<string, DocumentNode | readonly string[]>();
  const replies = new Map<string, Buffer>();

  const documentFor = (schema: GraphQLSchema, name: string, query: string): DocumentNode | readonly string[] => {
    const key = `${name}\n${query}`;
    let document = documents.get(key);
    if (!document) {
      try {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length > 0 ? errors.map((e) => e.message) : parsed;
      } catch (error) {
        document = [(error as Error).message];
      }
      documents.set(key, document);
    }
    return document;
  };

  const answer = async (name: string, schema: GraphQLSchema, body: string): Promise<{ status: number; bytes: Buffer }> => {
    let request: GraphQLRequestBody;
    try {
      request = JSON.parse(body) as GraphQLRequestBody;
    } catch {
      return reply(400, { errors: [{ message: 'request body is not JSON; send {"query": …}' }] });
    }
    if (typeof request.query !== 'string') return reply(400, { errors: [{ message: 'request has no "query" string' }] });
    const document = documentFor(schema, name, request.query);
    if (!('kind' in document)) return reply(400, { errors: document.map((message) => ({ message })) });
    const result = await execute({
      schema,
      document,
      variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
    });
    return reply(200, result);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const name = /^\/([a-z]+)\/graphql$/.exec(req.url ?? '')?.[1] ?? '';
    const schema = schemas.get(name);
    if (req.method === 'GET' && req.url === '/stats') return send(res, 200, Buffer.from(JSON.stringify({ calls })));
    if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, Buffer.from('{"ok":true}'));
    if (req.method !== 'POST' || !schema) return send(res, 404, Buffer.from('{"errors":[{"message":"POST to /<subgraph>/graphql"}]}'));
    calls[name as WorkloadSubgraphName] += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = `${name}\n${body}`;
      const replayed = replies.get(key);
      if (replayed) return send(res, 200, replayed);
      answer(name, schema, body).then(
        ({ status, bytes }) => {
          if (status === 200) {
            if (replies.size >= MAX_REPLAYED) replies.clear();
            replies.set(key, bytes);
          }
          send(res, status, bytes);
        },
        (error: unknown) =>
          send(res, 500, Buffer.from(JSON.stringify({ errors: [{ message: `workload subgraph ${name} failed: ${(error as Error).message}` }] }))),
      );
    });
  });
  // Idle connections stay open, as the public benchmark's subgraphs keep them: a
  // gateway idle between rounds must not race the server closing its pooled sockets.
  const url = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1', { ...httpLimitsFromEnv(), keepAliveTimeoutMs: 600_000 });
  return {
    url,
    calls: () => ({ ...calls }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(status: number, value: unknown): { status: number; bytes: Buffer } {
  return { status, bytes: Buffer.from(JSON.stringify(value)) };
}

function send(res: ServerResponse, status: number, bytes: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}
