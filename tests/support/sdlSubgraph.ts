import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SdlSubgraph {
  /** Its GraphQL URL, for a publish's routing URL. */
  url: string;
  /** What `_service { sdl }` answers from now on. */
  serve(sdl: string): void;
  close(): Promise<void>;
}

/**
 * A stand-in subgraph that answers `_service { sdl }` with the SDL it is
 * given and the gateway's health check with `__typename`, so a publish passes
 * the registry's probe and a gateway's health check without a real service.
 */
export async function startSdlSubgraph(sdl: string): Promise<SdlSubgraph> {
  let served = sdl;
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { _service: { sdl: served }, __typename: 'Query' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    serve: (next) => void (served = next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
