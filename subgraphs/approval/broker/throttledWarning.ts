import type { Logger } from '../../../lib/log.ts';

/** At most one line per interval for a repeating problem, counting the ones left out. */
export function createThrottledWarning(log: Pick<Logger, 'warn'>, intervalMs: number, now: () => number = Date.now): (message: string) => void {
  let last = -Infinity;
  let skipped = 0;
  return (message) => {
    const at = now();
    if (at - last < intervalMs) {
      skipped += 1;
      return;
    }
    last = at;
    log.warn(skipped > 0 ? `${message} (+${skipped} similar since the last report)` : message);
    skipped = 0;
  };
}
