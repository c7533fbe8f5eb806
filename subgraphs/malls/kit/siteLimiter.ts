import Bottleneck from 'bottleneck';

export interface SiteLimits {
  /** Requests to the site at once. */
  maxConcurrent: number;
  /** Requests per second, at most. */
  requestsPerSecond: number;
}

export interface SiteLimiter {
  schedule<T>(task: () => Promise<T>): Promise<T>;
  /** Crawls of this process waiting for their turn under the limits. */
  waiting(): number;
  /** Whether the limits are shared with the mall's other replicas right now (false: this process limits itself). */
  shared(): boolean;
  close(): Promise<void>;
}

/** The limits as Bottleneck settings. */
export function bottleneckSettings(limits: SiteLimits): { maxConcurrent: number; minTime: number } {
  return { maxConcurrent: limits.maxConcurrent, minTime: Math.ceil(1000 / limits.requestsPerSecond) };
}

/** Jobs not started yet: received, queued, or spaced out for the rate (the state Bottleneck calls RUNNING). */
export function waitingJobs(limiter: Bottleneck): number {
  const counts = limiter.counts();
  return counts.RECEIVED + counts.QUEUED + counts.RUNNING;
}

/** Protects one mall site: a concurrency cap and a request rate, for this process alone. */
export function createSiteLimiter(limits: SiteLimits): SiteLimiter {
  const limiter = new Bottleneck(bottleneckSettings(limits));
  return {
    schedule: (task) => limiter.schedule(task),
    waiting: () => waitingJobs(limiter),
    shared: () => false,
    close: async () => {
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    },
  };
}
