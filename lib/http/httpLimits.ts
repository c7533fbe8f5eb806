import { readFileSync } from 'node:fs';
import { envInt } from '../env.ts';

/** What one client may cost an HTTP server, in time and in open sockets. */
export interface HttpLimits {
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (not the response: streams and sockets stay open). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number;
  /** Open connections (WebSockets included); one more is closed at once. */
  maxConnections: number;
}

/** Open files kept for what a process needs besides client sockets: upstream sockets, database pools, files. */
const RESERVED_SHARE = 0.2;
const FALLBACK_MAX_CONNECTIONS = 16_000;

/** `HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`, `HTTP_KEEP_ALIVE_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS`. */
export function httpLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpLimits {
  const limits = {
    headersTimeoutMs: positive('HTTP_HEADERS_TIMEOUT_MS', 10_000, env),
    requestTimeoutMs: positive('HTTP_REQUEST_TIMEOUT_MS', 30_000, env),
    keepAliveTimeoutMs: positive('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, env),
    maxConnections: positive('HTTP_MAX_CONNECTIONS', defaultMaxConnections(), env),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(
      `HTTP_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}) exceeds HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs}); the headers are part of the request, so lower the first or raise the second`,
    );
  }
  return limits;
}

/**
 * 80% of the process's open-file limit (16,000 of the 20,000 here), so
 * sockets beyond it are refused before the process runs out of files for
 * its own upstream connections; 16,000 where the limit cannot be read.
 */
export function defaultMaxConnections(limitsFile = '/proc/self/limits'): number {
  try {
    const line = readFileSync(limitsFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isInteger(soft) && soft > 0) return Math.max(1, Math.floor(soft * (1 - RESERVED_SHARE)));
  } catch {
    // Not Linux, or no /proc: the fallback below.
  }
  return FALLBACK_MAX_CONNECTIONS;
}

function positive(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const value = envInt(name, fallback, env);
  if (value === 0) throw new Error(`${name} must be at least 1, got 0; fix it or unset it to use ${fallback}`);
  return value;
}
