import type { SupergraphManager } from '@apollo/gateway';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { listenForRevisions } from '../../registry/notify/revisionNotices.ts';
import { createCoalescedRunner } from './createCoalescedRunner.ts';
import { createRegistryRevisions, waitForRegistry, type RegistryRevisions } from './registryRevisions.ts';

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
  const revisions = createRegistryRevisions(options.registryUrl);
  return {
    async initialize({ update, healthCheck }) {
      const first = await waitForRegistry(revisions, options.startTimeoutMs ?? 30_000, options.registryUrl);
      revisions.settle(first.revision);
      // Reported, not awaited: a subgraph that hangs must not delay the switch.
      const reportHealth = (sdl: string) =>
        void healthCheck(sdl).catch((error: unknown) => log.warn(`cannot health-check the supergraph's subgraphs (${errorMessage(error)}); serving it anyway`));
      reportHealth(first.supergraphSdl);
      const serve = (sdl: string) => {
        update(sdl);
        reportHealth(sdl);
      };
      // One check at a time; a notice during a check asks for one more.
      const checks = createCoalescedRunner(createRevisionCheck(revisions, serve, log));
      const timer = setInterval(() => checks.request(), options.pollMs);
      timer.unref();
      const notices = options.amqpUrl
        ? await listenForRevisions({ amqpUrl: options.amqpUrl, log, exchange: options.exchange, onNotice: () => checks.request() })
        : undefined;
      return {
        supergraphSdl: first.supergraphSdl,
        cleanup: async () => {
          clearInterval(timer);
          const stopped = checks.stop();
          await notices?.close();
          await stopped;
        },
      };
    },
  };
}

/** One look at the registry: a newer revision is served, or refused with a warning; a registry that cannot be reached is said once, not every poll. */
function createRevisionCheck(revisions: RegistryRevisions, serve: (supergraphSdl: string) => void, log: Logger): () => Promise<void> {
  let lastFailure = '';
  return async () => {
    let next;
    try {
      next = await revisions.fetchNewer();
      lastFailure = '';
    } catch (error) {
      const message = errorMessage(error);
      if (message !== lastFailure) log.warn(`cannot load a newer supergraph from the registry (${message}); keeping the current one`);
      lastFailure = message;
      return;
    }
    if (!next || !revisions.isAhead(next)) return;
    try {
      serve(next.supergraphSdl);
    } catch (error) {
      log.warn(`cannot serve supergraph revision ${next.revision} from the registry (${errorMessage(error)}); keeping the current one until a newer revision`);
    }
    // Either way this revision is settled; polling it again would not change it.
    revisions.settle(next.revision);
  };
}
