import { withSpan } from '../../../lib/tracing/tracer.ts';
import type { ChangeFeed } from '../changeFeed.ts';
import { batchSystem, MalformedEventsError, parseBatch, validateEvents } from '../events/parseEvents.ts';
import { verifySignature } from '../events/verifySignature.ts';
import type { ApprovalStore } from '../store/approvalStore.ts';
import type { SystemDirectory } from '../systems.ts';
import type { Delivery, IngestObserver, RefusalReason } from './ingestObserver.ts';

export interface IngestSummary {
  accepted: number;
  applied: number;
  ignoredAsOld: number;
}

/** Why a batch was refused: 400 the producer must fix it, 401 it is not who it claims. */
export class IngestRejection extends Error {
  readonly status: 400 | 401;
  readonly reason: RefusalReason;
  constructor(status: 400 | 401, reason: RefusalReason, message: string) {
    super(message);
    this.name = 'IngestRejection';
    this.status = status;
    this.reason = reason;
  }
}

export interface BatchIngestor {
  /**
   * Checks, stores and announces one signed batch, whatever carried it (HTTP
   * now, a broker later: pass the routing key as `expectedSystem`). Resolves
   * once every applied event is durably stored; throws IngestRejection for a
   * bad batch (nothing of it stored) and other errors for storage failures.
   * With `delivery`, the stored batch is reported to the observer.
   */
  ingest(body: Buffer, signature: string | undefined, expectedSystem?: string, delivery?: Delivery): Promise<IngestSummary>;
}

export interface BatchIngestorOptions {
  systems: SystemDirectory;
  store: ApprovalStore;
  changeFeed: ChangeFeed;
  /** Publishing failed after the write; the counts are stored, only the push is lost. */
  onPublishError?: (error: unknown) => void;
  /** Told of stored batches; refusals and failures are the carriers' to report. */
  observer?: IngestObserver;
}

export function createBatchIngestor(options: BatchIngestorOptions): BatchIngestor {
  const { systems, store, changeFeed } = options;
  const announce = async (userIds: string[]) => {
    if (userIds.length === 0) return;
    try {
      await withSpan('approval.announce', { 'gatehouse.approval.users': userIds.length }, () => changeFeed.publish(userIds));
    } catch (error) {
      options.onPublishError?.(error);
    }
  };

  return {
    async ingest(body, signature, expectedSystem, delivery) {
      const items = reject400(() => parseBatch(body.toString('utf8')));
      // The batch names its system; that system's secret must have signed it.
      const systemId = reject400(() => batchSystem(items));
      const system = systems.get(systemId);
      if (!system) throw new IngestRejection(401, 'unknown_system', `unknown system "${systemId}"`);
      if (expectedSystem !== undefined && expectedSystem !== systemId) {
        throw new IngestRejection(401, 'wrong_system', `events name system "${systemId}" but arrived for "${expectedSystem}"`);
      }
      if (!verifySignature(body, signature, system.secret)) {
        throw new IngestRejection(401, 'signature', `bad signature: X-Signature must be sha256=<hex HMAC-SHA256 of the body with ${systemId}'s secret>`);
      }
      const events = reject400(() => validateEvents(items));
      const result = await withSpan('approval.store.append', { 'gatehouse.approval.events': events.length }, async (span) => {
        const applied = await store.applyEvents(events);
        span.setAttribute('gatehouse.approval.applied', applied.applied);
        return applied;
      });
      // Timed before the announcement, which a slow broker may hold up: this is the storage path.
      if (delivery) {
        const seconds = (performance.now() - delivery.receivedAt) / 1000;
        options.observer?.stored({ ...delivery, system: systemId, applied: result.applied, ignored: result.ignoredAsOld, seconds });
      }
      await announce(result.changedUserIds);
      return { accepted: events.length, applied: result.applied, ignoredAsOld: result.ignoredAsOld };
    },
  };
}

function reject400<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof MalformedEventsError) throw new IngestRejection(400, error.reason, error.message);
    throw error;
  }
}
