/**
 * The test hooks of the demo sites: counts of search-page requests (to prove
 * caching and coalescing), the most requests a site served at once (to prove
 * its limits) and injectable faults (to exercise retries).
 */
import { MALL_IDS, SYSTEM_MALL_IDS, type MallId } from './listing.ts';

export const FAULT_MODES = ['ok', 'error500', 'rateLimit', 'broken', 'hang'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface SiteStats {
  total: number;
  byKeyword: Record<string, number>;
  /** The most search requests the site was answering at one moment. */
  peakInFlight: number;
}

export class SiteControl {
  private stats = emptyStats();
  private readonly faults = new Map<MallId, FaultMode>();
  private readonly hangWaiters = new Map<MallId, Set<() => void>>();
  private readonly inFlight = new Map<MallId, number>();

  /** Counts a search request; call the returned function once it is answered. */
  countSearch(mall: MallId, keyword: string): () => void {
    const stats = (this.stats[mall] ??= emptySiteStats());
    stats.total += 1;
    stats.byKeyword[keyword] = (stats.byKeyword[keyword] ?? 0) + 1;
    const now = (this.inFlight.get(mall) ?? 0) + 1;
    this.inFlight.set(mall, now);
    stats.peakInFlight = Math.max(stats.peakInFlight, now);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight.set(mall, (this.inFlight.get(mall) ?? 1) - 1);
    };
  }

  snapshot(): Partial<Record<MallId, SiteStats>> {
    return structuredClone(this.stats);
  }

  resetStats(): void {
    this.stats = emptyStats();
  }

  fault(mall: MallId): FaultMode {
    return this.faults.get(mall) ?? 'ok';
  }

  faultsSnapshot(): Record<MallId, FaultMode> {
    return Object.fromEntries(MALL_IDS.map((id) => [id, this.fault(id)])) as Record<MallId, FaultMode>;
  }

  setFault(mall: MallId, mode: FaultMode): void {
    if (mode === 'ok') this.faults.delete(mall);
    else this.faults.set(mall, mode);
    if (mode !== 'hang') this.releaseHung(mall);
  }

  /** Resolves when the mall's `hang` fault is lifted (or the server closes). */
  waitWhileHanging(mall: MallId): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.hangWaiters.get(mall);
      if (!waiters) {
        waiters = new Set();
        this.hangWaiters.set(mall, waiters);
      }
      waiters.add(resolve);
    });
  }

  releaseAll(): void {
    for (const mall of MALL_IDS) this.releaseHung(mall);
  }

  private releaseHung(mall: MallId): void {
    const waiters = this.hangWaiters.get(mall);
    this.hangWaiters.delete(mall);
    for (const resolve of waiters ?? []) resolve();
  }
}

/**
 * The system's malls are always listed; a scaffolding-only site such as
 * `minguk` only once it is searched, so the stats of a default system read
 * the same with it or without it.
 */
function emptyStats(): Partial<Record<MallId, SiteStats>> {
  return Object.fromEntries(SYSTEM_MALL_IDS.map((id) => [id, emptySiteStats()]));
}

function emptySiteStats(): SiteStats {
  // Null-prototype maps keep keywords such as `__proto__` or `constructor` ordinary entries.
  return { total: 0, byKeyword: Object.create(null) as Record<string, number>, peakInFlight: 0 };
}

export type FaultRequest = { site: MallId; mode: FaultMode };

/** Validates a `POST /__faults` body; the error says exactly what to send instead. */
export function parseFaultRequest(body: string): FaultRequest | { error: string } {
  const usage = `send {"site": one of ${MALL_IDS.join('|')}, "mode": one of ${FAULT_MODES.join('|')}}`;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { error: `the body is not valid JSON; ${usage}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: `the body must be a JSON object; ${usage}` };
  const { site, mode } = value as Record<string, unknown>;
  if (typeof site !== 'string' || !(MALL_IDS as readonly string[]).includes(site)) {
    return { error: `unknown site ${JSON.stringify(site ?? null)}; ${usage}` };
  }
  if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode)) {
    return { error: `unknown mode ${JSON.stringify(mode ?? null)}; ${usage}` };
  }
  return { site: site as MallId, mode: mode as FaultMode };
}
