import type { Server } from 'node:http';
import { createLogger, type Logger } from '../log.ts';
import type { HttpLimits } from './httpLimits.ts';

/** How often a refusal over the connection cap is logged at most. */
const DROP_LOG_INTERVAL_MS = 60_000;

/**
 * Applies `limits` to a server before it listens: a client trickling its
 * headers or body is answered 408 and cut off instead of holding a socket
 * for Node's default 300 s, and connections over the cap are closed at once.
 */
export function hardenServer(server: Server, limits: HttpLimits, log: Logger = createLogger('http')): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // Node checks both timeouts on this interval (30 s by default), read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    10,
    Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 5)),
  );

  let dropped = 0;
  let lastLog = 0;
  server.on('drop', () => {
    dropped += 1;
    const now = Date.now();
    if (now - lastLog < DROP_LOG_INTERVAL_MS) return;
    log.warn(
      `refused ${dropped} connection(s) over the cap of ${limits.maxConnections} open ones; raise HTTP_MAX_CONNECTIONS if the process has open files to spare, or add replicas`,
    );
    dropped = 0;
    lastLog = now;
  });
}
