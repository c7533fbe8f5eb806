import { composeSupergraph } from '../composition/composeSupergraph.ts';
import type { SubgraphDefinition } from '../composition/subgraphDefinition.ts';
import { evaluateChange, type SubgraphChange } from './evaluate/evaluateChange.ts';
import type { PublishedSubgraph, RegistryStore, Revision } from './store/registryStore.ts';

export type ChangeOutcome =
  | { status: 'published' | 'deleted' | 'checked' | 'unchanged'; revision: number; malls: string[]; breaking: string[] }
  | { status: 'refused'; reason: 'composition' | 'breaking' | 'unknown-subgraph'; errors: string[] };

export interface ChangeRequest {
  by: string;
  allowBreaking: boolean;
  /** Only the verdict (`check`): nothing is stored. */
  dryRun: boolean;
}

export interface Registry {
  latest(): Promise<Revision | null>;
  publish(subgraph: SubgraphDefinition, request: ChangeRequest): Promise<ChangeOutcome>;
  remove(name: string, request: ChangeRequest): Promise<ChangeOutcome>;
  /** Stores `subgraphs` as the first revision when the registry is empty; false if it was not. */
  seed(subgraphs: SubgraphDefinition[], by: string): Promise<boolean>;
}

/** Replicas racing for the same revision: the loser re-checks against the winner, at most this often. */
const MAX_ATTEMPTS = 10;

/**
 * The registry's rules over its store: a change must compose and, unless
 * allowed, must not break clients; a change that passes becomes the next
 * revision, and `onRevision` tells the gateways.
 */
export function createRegistry(store: RegistryStore, onRevision: (revision: Revision) => void): Registry {
  // Changes through one replica queue up; only other replicas can race it.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };

  const change = (request: ChangeRequest, describe: SubgraphChange) => serially(() => attemptChange(request, describe));

  const attemptChange = async (request: ChangeRequest, describe: SubgraphChange): Promise<ChangeOutcome> => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      // Jittered, so two replicas that collided do not collide again.
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
      const current = await store.latest();
      const subgraphs = current?.subgraphs ?? [];
      if (describe.action === 'publish' && isUnchanged(subgraphs, describe.subgraph)) {
        return { status: 'unchanged', revision: current!.revision, malls: [], breaking: [] };
      }
      const verdict = evaluateChange({ subgraphs, supergraphSdl: current?.supergraphSdl ?? null }, describe, request.allowBreaking);
      if (!verdict.ok) {
        return { status: 'refused', reason: verdict.reason, errors: verdict.reason === 'breaking' ? verdict.breaking : verdict.errors };
      }
      const previous = current?.revision ?? 0;
      if (request.dryRun) return { status: 'checked', revision: previous, malls: verdict.malls, breaking: verdict.breaking };
      const at = new Date();
      const name = describe.action === 'publish' ? describe.subgraph.name : describe.name;
      const existing = new Map(subgraphs.map((s) => [s.name, s]));
      const next: PublishedSubgraph[] = verdict.subgraphs.map((s) =>
        s.name === name ? { ...s, publishedBy: request.by, publishedAt: at, revision: previous + 1 } : existing.get(s.name)!,
      );
      const stored = await store.append(previous, {
        subgraphs: next,
        supergraphSdl: verdict.supergraphSdl,
        change: { action: describe.action, name, by: request.by, at },
      });
      if (stored === 'conflict') continue;
      onRevision(stored);
      return { status: describe.action === 'publish' ? 'published' : 'deleted', revision: stored.revision, malls: verdict.malls, breaking: verdict.breaking };
    }
    throw new Error(`the registry changed ${MAX_ATTEMPTS} times while this change was being checked; retry it`);
  };

  return {
    latest: () => store.latest(),
    publish: (subgraph, request) => change(request, { action: 'publish', subgraph }),
    remove: (name, request) => change(request, { action: 'delete', name }),
    async seed(subgraphs, by) {
      if (await store.latest()) return false;
      const composed = composeSupergraph([...subgraphs].sort((a, b) => a.name.localeCompare(b.name)));
      if (!composed.ok) throw new Error(`the seed subgraphs do not compose: ${composed.errors.join('; ')}`);
      const at = new Date();
      const stored = await store.append(0, {
        subgraphs: subgraphs.map((s) => ({ ...s, publishedBy: by, publishedAt: at, revision: 1 })),
        supergraphSdl: composed.supergraphSdl,
        change: { action: 'seed', name: null, by, at },
      });
      if (stored === 'conflict') return false;
      onRevision(stored);
      return true;
    },
  };
}

function isUnchanged(subgraphs: readonly PublishedSubgraph[], candidate: SubgraphDefinition): boolean {
  const existing = subgraphs.find((s) => s.name === candidate.name);
  return existing !== undefined && existing.url === candidate.url && existing.sdl === candidate.sdl;
}
