import { createServer } from 'node:http';
import { listen } from '../../lib/http/listen.ts';

export interface SdlServer {
  /** Serves `sdl` as `_service { sdl }` at `/<name>/graphql`; returns that URL. */
  serve(name: string, sdl: string): string;
  /** Stops answering (connections are refused) until started again on the same port. */
  close(): Promise<void>;
  readonly port: number;
}

/**
 * A stand-in subgraph for registry tests: answers `{ _service { sdl } }`
 * with the SDL registered for the path, and any other query (a gateway's
 * health check) with `__typename`, so publishes pass the registry's probe
 * without a real service per SDL.
 */
export async function startSdlServer(port = 0): Promise<SdlServer> {
  const sdls = new Map<string, string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const sdl = sdls.get(req.url ?? '');
      if (req.method !== 'POST' || sdl === undefined) return void res.writeHead(404).end();
      const query = (JSON.parse(body || '{}') as { query?: string }).query ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: query.includes('_service') ? { _service: { sdl } } : { __typename: 'Query' } }));
    });
  });
  const url = await listen(server, port, '127.0.0.1');
  return {
    port: Number(new URL(url).port),
    serve(name, sdl) {
      sdls.set(`/${name}/graphql`, sdl);
      return `${url}/${name}/graphql`;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
