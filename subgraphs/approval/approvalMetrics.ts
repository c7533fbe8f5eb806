import { createMetrics, type Metrics } from '../../lib/metrics/createMetrics.ts';
import { REFUSAL_REASONS, type IngestObserver, type IngestVia } from './ingest/ingestObserver.ts';
import type { SubscriptionObserver } from './subscriptions.ts';

export interface ApprovalMetrics {
  /** Served at the subgraph's `/metrics`. */
  readonly metrics: Metrics;
  readonly ingest: IngestObserver;
  readonly subscriptions: SubscriptionObserver;
}

const VIAS: readonly IngestVia[] = ['http', 'broker'];

/**
 * The approval subgraph's Prometheus metrics: what each business system sends
 * and what of it wins, what is refused and why, how long storing takes, and
 * how many live subscriptions this replica feeds.
 */
export function createApprovalMetrics(systemIds: readonly string[]): ApprovalMetrics {
  const metrics = createMetrics('approval');
  const events = metrics.counter(
    'gatehouse_approval_events_total',
    "Events stored, by system, carrier (http, broker) and outcome: applied (became the pair's newest) or ignored (seq older than or equal to the stored one).",
    ['system', 'via', 'outcome'],
  );
  const refused = metrics.counter(
    'gatehouse_approval_batches_refused_total',
    'Batches refused as a whole, nothing of them stored, by carrier and reason (signature, unknown_system, wrong_system, malformed, too_many, too_large, unreadable).',
    ['via', 'reason'],
  );
  const deadLetters = metrics.counter(
    'gatehouse_approval_dead_letters_total',
    "Refused broker batches moved to the dead-letter queue, by reason (batches the queue's delivery limit dead-letters are counted by RabbitMQ, not here).",
    ['reason'],
  );
  const failed = metrics.counter(
    'gatehouse_approval_batches_failed_total',
    'Batches that could not be stored (the database failed), by carrier; HTTP producers got a 503, broker batches went back to the queue.',
    ['via'],
  );
  const duration = metrics.histogram(
    'gatehouse_approval_ingest_duration_seconds',
    'Time from receiving a batch (request or message) to its being durably stored, by carrier.',
    ['via'],
  );
  let open = 0;
  metrics.gauge('gatehouse_approval_subscriptions_open', 'approvalCountChanged streams this replica is pushing to.', [], (gauge) => gauge.set(open));

  // Every series present at 0 from the start, so rate() and alerts see the first event.
  for (const via of VIAS) {
    duration.zero({ via });
    failed.inc({ via }, 0);
    for (const reason of REFUSAL_REASONS[via]) refused.inc({ via, reason }, 0);
    for (const system of systemIds) for (const outcome of ['applied', 'ignored']) events.inc({ system, via, outcome }, 0);
  }
  for (const reason of REFUSAL_REASONS.broker) deadLetters.inc({ reason }, 0);

  return {
    metrics,
    ingest: {
      stored({ via, system, applied, ignored, seconds }) {
        events.inc({ system, via, outcome: 'applied' }, applied);
        events.inc({ system, via, outcome: 'ignored' }, ignored);
        duration.observe({ via }, seconds);
      },
      refused: (via, reason) => refused.inc({ via, reason }),
      failed: (via) => failed.inc({ via }),
      deadLettered: (reason) => deadLetters.inc({ reason }),
    },
    subscriptions: {
      opened() {
        open += 1;
        let ended = false;
        return () => {
          if (ended) return;
          ended = true;
          open -= 1;
        };
      },
    },
  };
}
