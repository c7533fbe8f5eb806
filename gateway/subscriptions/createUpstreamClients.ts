import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { errorMessage, type Logger } from '../../lib/log.ts';

export interface UpstreamClients {
  /** The one multiplexed graphql-ws connection to a subgraph, opened on first use. */
  clientFor(subgraph: string, httpUrl: string): Client;
  /** Closes connections to subgraphs no longer in the supergraph. */
  retain(subgraphs: ReadonlySet<string>): void;
  close(): Promise<void>;
}

/**
 * Every subscription a gateway holds for a subgraph travels over one
 * WebSocket to it, whatever the number of clients: O(1) upstream sockets.
 * A dropped socket is reopened and its subscriptions resubscribed by graphql-ws.
 */
export function createUpstreamClients(log: Logger): UpstreamClients {
  const clients = new Map<string, { url: string; client: Client }>();
  const dispose = async (name: string): Promise<void> => {
    const entry = clients.get(name);
    clients.delete(name);
    await entry?.client.dispose();
  };
  // A socket dropped from the supergraph closes in the background; the gateway has already stopped using it.
  const disposeInBackground = (name: string) => {
    dispose(name).catch((error: unknown) =>
      log.warn(`cannot close the subscription socket to subgraph "${name}" (${errorMessage(error)}); it is no longer used`),
    );
  };
  return {
    clientFor(subgraph, httpUrl) {
      const url = httpUrl.replace(/^http/, 'ws');
      const existing = clients.get(subgraph);
      if (existing?.url === url) return existing.client;
      if (existing) disposeInBackground(subgraph);
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        lazy: true,
        keepAlive: 10_000,
        // A subgraph that accepts the socket but never acknowledges it is treated as down (and retried).
        connectionAckWaitTimeout: 10_000,
        retryAttempts: Number.POSITIVE_INFINITY,
        shouldRetry: () => true,
        retryWait: async (retries) => {
          await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** retries, 5000)));
        },
        on: {
          closed: (event) => {
            const code = (event as { code?: number }).code;
            if (code !== 1000) log.warn(`subscription socket to subgraph "${subgraph}" closed (${code ?? 'no code'}); reconnecting`);
          },
        },
      });
      clients.set(subgraph, { url, client });
      return client;
    },
    retain(subgraphs) {
      for (const name of [...clients.keys()]) if (!subgraphs.has(name)) disposeInBackground(name);
    },
    async close() {
      await Promise.all([...clients.keys()].map(dispose));
    },
  };
}
