import type { ApolloServerPlugin } from '@apollo/server';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { operationId } from '../../lib/operations/operationId.ts';
import { clientNameOf } from './createPersistedOperations.ts';

export interface UsageReporter {
  plugin: ApolloServerPlugin;
  /** An operation served outside Apollo Server (a subscription over WebSocket or SSE), counted like one it ran. */
  served(operation: { query: string; operationName: string | null; client: string }): void;
  /** Sends what is pending now (also at close). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  id: string;
  name: string | null;
  body: string;
  client: string;
  count: number;
}

/** Distinct operations held between reports; more are counted as dropped (said once per report). */
const MAX_PENDING = 1000;
/** The registry's own limit on one reported operation. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Counts the operations this gateway served (validated, so they ran on the
 * current supergraph) per client, and reports them to the registry every
 * `intervalMs` (`POST /v1/usage`): what usage-based schema checks protect
 * besides the published manifests. A report that fails is kept for the next
 * one, within the same bound.
 */
export function createUsageReporter(options: { registryUrl: string; intervalMs: number; log: Logger }): UsageReporter {
  const endpoint = new URL('/v1/usage', options.registryUrl).toString();
  let pending = new Map<string, Pending>();
  let dropped = 0;
  let lastFailure = '';
  let sending: Promise<void> = Promise.resolve();

  const record = (entry: Omit<Pending, 'count'>, count = 1) => {
    const key = `${entry.id}\n${entry.client}`;
    const existing = pending.get(key);
    if (existing) return void (existing.count += count);
    if (pending.size >= MAX_PENDING) return void (dropped += count);
    pending.set(key, { ...entry, count });
  };

  const send = async () => {
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending = new Map();
    if (dropped > 0)
      options.log.warn(
        `usage report: ${dropped} request(s) of operations beyond the ${MAX_PENDING} distinct ones held were not counted; report more often (GATEWAY_USAGE_REPORT_MS)`,
      );
    dropped = 0;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operations: batch }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`registry answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      lastFailure = '';
    } catch (error) {
      const message = errorMessage(error);
      if (message !== lastFailure) options.log.warn(`cannot report operation usage to ${endpoint} (${message}); keeping it for the next report`);
      lastFailure = message;
      for (const entry of batch) record(entry, entry.count);
    }
  };
  // send() reports its own failures; this catch is for a bug in it, which must not leave every later report rejected.
  const enqueue = () => {
    sending = sending
      .then(send)
      .catch((error: unknown) => options.log.error(`usage report: a report failed unexpectedly (${errorMessage(error)}); the next one tries again`));
  };
  const flush = () => {
    enqueue();
    return sending;
  };
  const timer = setInterval(enqueue, options.intervalMs);
  timer.unref();

  return {
    plugin: {
      async requestDidStart({ request }) {
        const client = clientNameOf(request.http?.headers.get('apollographql-client-name') ?? undefined);
        return {
          async didResolveOperation({ source, queryHash, operationName }) {
            if (Buffer.byteLength(source) > MAX_BODY_BYTES) return;
            record({ id: queryHash, name: operationName ?? null, body: source, client });
          },
        };
      },
    },
    served({ query, operationName, client }) {
      if (Buffer.byteLength(query) > MAX_BODY_BYTES) return;
      // Apollo Server's queryHash is the same sha256 of the text, so either transport counts one operation.
      record({ id: operationId(query), name: operationName, body: query, client });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
