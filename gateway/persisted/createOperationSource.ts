import { errorMessage, type Logger } from '../../lib/log.ts';

/** The trusted operations every published manifest holds, by id, as this gateway last loaded them. */
export interface OperationSource {
  get(id: string): string | undefined;
  readonly size: number;
  close(): void;
}

/**
 * Follows the registry's published manifests as the supergraph is followed:
 * `GET /v1/operations` polled with an ETag (a 304 costs almost nothing), the
 * whole set replaced when it changes. A registry that cannot be reached
 * keeps the last set, said once.
 */
export async function createOperationSource(options: { registryUrl: string; pollMs: number; log: Logger }): Promise<OperationSource> {
  const endpoint = new URL('/v1/operations', options.registryUrl).toString();
  let operations = new Map<string, string>();
  let etag: string | null = null;
  let lastFailure = '';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const load = async () => {
    try {
      const response = await fetch(endpoint, { headers: etag ? { 'if-none-match': etag } : {}, signal: AbortSignal.timeout(5000) });
      if (response.status === 304) return void (lastFailure = '');
      if (!response.ok) throw new Error(`registry answered ${response.status}`);
      const body = (await response.json()) as { operations: Array<{ id: string; body: string }> };
      operations = new Map(body.operations.map((o) => [o.id, o.body]));
      etag = response.headers.get('etag');
      if (lastFailure) options.log.info(`loading persisted operations from the registry again (${operations.size} operations)`);
      lastFailure = '';
    } catch (error) {
      const message = errorMessage(error);
      if (message !== lastFailure) options.log.warn(`cannot load persisted operations from ${endpoint} (${message}); keeping the ${operations.size} loaded`);
      lastFailure = message;
    }
  };
  const schedule = () => {
    if (stopped) return;
    // load() reports its own failures; this catch is for a bug in it, which must not stop the polling.
    const next = () => {
      load()
        .catch((error: unknown) =>
          options.log.error(`persisted operations: a reload from ${endpoint} failed unexpectedly (${errorMessage(error)}); polling goes on`),
        )
        .finally(schedule);
    };
    timer = setTimeout(next, options.pollMs);
    timer.unref();
  };
  await load();
  schedule();
  return {
    get: (id) => operations.get(id),
    get size() {
      return operations.size;
    },
    close: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
