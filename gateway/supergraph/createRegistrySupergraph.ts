import type { SupergraphManager } from '@apollo/gateway';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { listenForRevisions } from '../../registry/notify/revisionNotices.ts';

export interface RegistrySupergraphOptions {
  /** The registry's base URL (`http://127.0.0.1:4080`). */
  registryUrl: string;
  log: Logger;
  /** How often to ask the registry for a newer revision. */
  pollMs: number;
  /** When set, a RabbitMQ notice makes the gateway ask at once. */
  amqpUrl?: string;
  exchange?: string;
  /** How long to wait for the registry at start before giving up. */
  startTimeoutMs?: number;
}

interface SupergraphResponse {
  revision: number;
  id: string;
  supergraphSdl: string;
}

/**
 * The gateway's supergraph, from the registry: polled with an ETag (a 304
 * costs almost nothing), and at once on a RabbitMQ notice. Every new
 * revision is switched to at once and then health-checked: a subgraph that
 * does not answer is reported and its fields fail as a down subgraph's do,
 * so one broken subgraph never holds back the other teams' changes (the
 * registry already refuses a publish whose routing URL does not serve it).
 */
export function createRegistrySupergraph(options: RegistrySupergraphOptions): SupergraphManager {
  const { log } = options;
  const endpoint = new URL('/v1/supergraph', options.registryUrl).toString();
  let revision = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const fetchNewer = async (): Promise<SupergraphResponse | null> => {
    const response = await fetch(endpoint, { headers: revision ? { 'if-none-match': `"${revision}"` } : {}, signal: AbortSignal.timeout(5000) });
    if (response.status === 304) return null;
    if (!response.ok) throw new Error(`registry answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    return (await response.json()) as SupergraphResponse;
  };

  return {
    async initialize({ update, healthCheck }) {
      const first = await waitForRegistry(fetchNewer, options.startTimeoutMs ?? 30_000, options.registryUrl);
      revision = first.revision;
      // Reported, not awaited: a subgraph that hangs must not delay the switch.
      const reportHealth = (sdl: string) =>
        void healthCheck(sdl).catch((error: unknown) => log.warn(`cannot health-check the supergraph's subgraphs (${errorMessage(error)}); serving it anyway`));
      reportHealth(first.supergraphSdl);
      let running: Promise<void> | null = null;
      let again = false;
      let lastFailure = '';
      const check = async () => {
        let next: SupergraphResponse | null;
        try {
          next = await fetchNewer();
          lastFailure = '';
        } catch (error) {
          // Said once, not every poll.
          const message = errorMessage(error);
          if (message !== lastFailure) log.warn(`cannot load a newer supergraph from the registry (${message}); keeping the current one`);
          lastFailure = message;
          return;
        }
        if (!next || next.revision <= revision) return;
        try {
          update(next.supergraphSdl);
          reportHealth(next.supergraphSdl);
        } catch (error) {
          log.warn(
            `cannot serve supergraph revision ${next.revision} from the registry (${errorMessage(error)}); keeping the current one until a newer revision`,
          );
        }
        // Either way this revision is settled; polling it again would not change it.
        revision = next.revision;
      };
      // One check at a time; a notice during a check asks for one more.
      const poll = () => {
        if (stopped) return;
        if (running) return void (again = true);
        running = check().finally(() => {
          running = null;
          if (again) {
            again = false;
            poll();
          }
        });
      };
      const schedule = () => {
        timer = setTimeout(() => {
          poll();
          schedule();
        }, options.pollMs);
        timer.unref();
      };
      schedule();
      const notices = options.amqpUrl ? await listenForRevisions({ amqpUrl: options.amqpUrl, log, exchange: options.exchange, onNotice: poll }) : undefined;
      return {
        supergraphSdl: first.supergraphSdl,
        cleanup: async () => {
          stopped = true;
          clearTimeout(timer);
          await notices?.close();
          await running;
        },
      };
    },
  };
}

async function waitForRegistry(fetchNewer: () => Promise<SupergraphResponse | null>, timeoutMs: number, registryUrl: string): Promise<SupergraphResponse> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const first = await fetchNewer();
      if (first) return first;
    } catch (error) {
      lastError = errorMessage(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`cannot load the supergraph from the registry at ${registryUrl} (${lastError}); start the registry or fix GATEHOUSE_REGISTRY_URL`);
}
