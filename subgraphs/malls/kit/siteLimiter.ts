import Bottleneck from 'bottleneck';

export interface SiteLimits {
  /** Requests to the site at once. */
  maxConcurrent: number;
  /** Requests per second, at most. */
  requestsPerSecond: number;
}

export interface SiteLimiter {
  schedule<T>(task: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The limits as Bottleneck settings. */
export function bottleneckSettings(limits: SiteLimits): { maxConcurrent: number; minTime: number } {
  return { maxConcurrent: limits.maxConcurrent, minTime: Math.ceil(1000 / limits.requestsPerSecond) };
}

/** Protects one mall site: a concurrency cap and a request rate, for this process alone. */
export function createSiteLimiter(limits: SiteLimits): SiteLimiter {
  const limiter = new Bottleneck(bottleneckSettings(limits));
  return {
    schedule: (task) => limiter.schedule(task),
    close: async () => {
      await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    },
  };
}
