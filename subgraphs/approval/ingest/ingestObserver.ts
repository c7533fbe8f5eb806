/** What carried a batch in. */
export type IngestVia = 'http' | 'broker';

/**
 * Why a whole batch was refused. `unreadable` (the HTTP client hung up mid-body)
 * is HTTP's alone, `wrong_system` (routing key and events disagree) the broker's.
 */
export type RefusalReason = 'too_large' | 'unreadable' | 'malformed' | 'too_many' | 'unknown_system' | 'wrong_system' | 'signature';

export const REFUSAL_REASONS: Readonly<Record<IngestVia, readonly RefusalReason[]>> = {
  http: ['too_large', 'unreadable', 'malformed', 'too_many', 'unknown_system', 'signature'],
  broker: ['too_large', 'malformed', 'too_many', 'unknown_system', 'wrong_system', 'signature'],
};

/** Who carried a batch and when it arrived (`performance.now()`), so its time to storage can be told. */
export interface Delivery {
  via: IngestVia;
  receivedAt: number;
}

export interface StoredBatch extends Delivery {
  system: string;
  /** Events that became their pair's newest. */
  applied: number;
  /** Events older than or equal to what was stored. */
  ignored: number;
  /** From `receivedAt` to the batch being durably stored. */
  seconds: number;
}

/**
 * Told what ingestion does, for metrics; ingestion itself knows nothing of
 * Prometheus. Every method must be cheap and must not throw.
 */
export interface IngestObserver {
  stored(batch: StoredBatch): void;
  /** Refused as a whole, nothing of it stored (a broker batch counts once per delivery). */
  refused(via: IngestVia, reason: RefusalReason): void;
  /** Storing failed; the producer (HTTP 503) or the queue retries it. */
  failed(via: IngestVia): void;
  /** A refused broker batch the broker confirmed on the dead-letter exchange. */
  deadLettered(reason: RefusalReason): void;
}
