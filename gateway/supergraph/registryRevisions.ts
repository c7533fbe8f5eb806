import { errorMessage } from '../../lib/log.ts';

export interface SupergraphResponse {
  revision: number;
  id: string;
  supergraphSdl: string;
}

export interface RegistryRevisions {
  /** The registry's supergraph when it is past the settled revision (asked with an ETag: a 304 costs almost nothing); null when not. */
  fetchNewer(): Promise<SupergraphResponse | null>;
  /** Whether a fetched revision is still ahead of the settled one. */
  isAhead(response: SupergraphResponse): boolean;
  /** This revision is dealt with, served or refused; only later ones are fetched. */
  settle(revision: number): void;
}

/** The registry's supergraph revisions, and which one the gateway has settled. */
export function createRegistryRevisions(registryUrl: string): RegistryRevisions {
  const endpoint = new URL('/v1/supergraph', registryUrl).toString();
  let settled = 0;
  return {
    async fetchNewer() {
      const response = await fetch(endpoint, { headers: settled ? { 'if-none-match': `"${settled}"` } : {}, signal: AbortSignal.timeout(5000) });
      if (response.status === 304) return null;
      if (!response.ok) throw new Error(`registry answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      return (await response.json()) as SupergraphResponse;
    },
    isAhead: (response) => response.revision > settled,
    settle(revision) {
      settled = revision;
    },
  };
}

/** The first supergraph, asked for every 250 ms until the registry answers with one or `timeoutMs` has passed. */
export async function waitForRegistry(revisions: RegistryRevisions, timeoutMs: number, registryUrl: string): Promise<SupergraphResponse> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const first = await revisions.fetchNewer();
      if (first) return first;
    } catch (error) {
      lastError = errorMessage(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`cannot load the supergraph from the registry at ${registryUrl} (${lastError}); start the registry or fix GATEHOUSE_REGISTRY_URL`);
}
