import type { OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import { errorMessage } from '../../lib/log.ts';
import type { DemoDelivery } from './demoEventPlan.ts';

export interface DemoStats {
  sent: number;
  late: number;
  duplicates: number;
  failed: number;
  /** The newest event delivered per `userId|system`: what the store should end up holding. */
  newest: Map<string, OutgoingEvent>;
}

/** What went out since the last report. */
export interface DeliveryWindow {
  sent: number;
  late: number;
  duplicates: number;
  failed: number;
  lastError: string;
  /** The newest fresh event, as one readable line. */
  last: string;
}

export interface DeliveryTally {
  delivered(delivery: DemoDelivery): void;
  failed(error: unknown): void;
  /** Everything since the start (a copy). */
  stats(): DemoStats;
  /** Everything since the last call, and starts a new window. */
  takeWindow(): DeliveryWindow;
}

const emptyWindow = (): DeliveryWindow => ({ sent: 0, late: 0, duplicates: 0, failed: 0, lastError: '', last: '' });

/** Counts the demo's deliveries: in total, for the tests, and per report window, for the log. */
export function createDeliveryTally(): DeliveryTally {
  const stats: DemoStats = { sent: 0, late: 0, duplicates: 0, failed: 0, newest: new Map() };
  let window = emptyWindow();
  return {
    delivered(delivery) {
      stats.sent += 1;
      window.sent += 1;
      if (delivery.kind === 'late') {
        stats.late += 1;
        window.late += 1;
      } else if (delivery.kind === 'duplicate') {
        stats.duplicates += 1;
        window.duplicates += 1;
      }
      for (const event of delivery.events) {
        const key = `${event.userId}|${event.system}`;
        if ((stats.newest.get(key)?.seq ?? -1) < event.seq) stats.newest.set(key, event);
        if (delivery.kind === 'fresh') window.last = `${event.system} ${event.userId} → ${event.count} (seq ${event.seq})`;
      }
    },
    failed(error) {
      stats.failed += 1;
      window.failed += 1;
      window.lastError = errorMessage(error);
    },
    stats: () => ({ ...stats, newest: new Map(stats.newest) }),
    takeWindow() {
      const taken = window;
      window = emptyWindow();
      return taken;
    },
  };
}
