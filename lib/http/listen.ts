import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens (port 0: any free one) and returns the server's base URL. A server
 * bound to all interfaces is reached locally at 127.0.0.1.
 */
export async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable}:${address.port}`;
}
