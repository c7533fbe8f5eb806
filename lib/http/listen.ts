import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hardenServer } from './hardenServer.ts';
import { httpLimitsFromEnv, type HttpLimits } from './httpLimits.ts';

/**
 * Listens (port 0: any free one) and returns the server's base URL. A server
 * bound to all interfaces is reached locally at 127.0.0.1. Every service
 * listens through here, so each gets the request timeouts and connection cap
 * of `limits` (default: from the environment, lib/http/httpLimits.ts).
 */
export async function listen(server: Server, port = 0, host = '127.0.0.1', limits: HttpLimits = httpLimitsFromEnv()): Promise<string> {
  hardenServer(server, limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable}:${address.port}`;
}
