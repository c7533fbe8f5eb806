import { composeSupergraph } from '../composition/composeSupergraph.ts';
import type { SubgraphDefinition } from '../composition/subgraphDefinition.ts';
import type { ChangeScope } from './evaluate/checkOwnership.ts';
import { nameRefusal, ownershipOf } from './evaluate/subgraphOwnership.ts';
import { sharedChangeEvaluator, type ChangeEvaluator } from './evaluate/createChangeEvaluator.ts';
import type { SubgraphChange } from './evaluate/evaluateChange.ts';
import type { KnownOperation } from './evaluate/usageCheck.ts';
import type { PublishedSubgraph, RegistryStore, Revision } from './store/registryStore.ts';

export type ChangeOutcome =
  /** `note`: why a change breaking by type rules went through without allowBreaking (usage-based checks). */
  | { status: 'published' | 'deleted' | 'checked' | 'unchanged'; revision: number; malls: string[]; breaking: string[]; note?: string }
  | {
      status: 'refused';
      reason: 'composition' | 'breaking' | 'ownership' | 'unknown-subgraph' | 'unreachable' | 'schema-mismatch' | 'limits';
      errors: string[];
    };

export interface ChangeRequest {
  by: string;
  /** What the change may contribute: anything (admin) or a team's mall and grants. */
  scope: ChangeScope;
  allowBreaking: boolean;
  /** Only the verdict (`check`): nothing is stored. */
  dryRun: boolean;
}

export interface Registry {
  latest(): Promise<Revision | null>;
  publish(subgraph: SubgraphDefinition, request: ChangeRequest): Promise<ChangeOutcome>;
  remove(name: string, request: ChangeRequest): Promise<ChangeOutcome>;
  /** The first publish limit `subgraph` is over, as one sentence (checked off the event loop); null when within them. */
  checkLimits(subgraph: SubgraphDefinition): Promise<string | null>;
  /** Stores `subgraphs` as the first revision when the registry is empty; false if it was not. */
  seed(subgraphs: SubgraphDefinition[], by: string): Promise<boolean>;
}

/** Replicas racing for the same revision: the loser re-checks against the winner, at most this often. */
const MAX_ATTEMPTS = 10;

interface ChangeContext {
  store: RegistryStore;
  evaluator: ChangeEvaluator;
  knownOperations?: () => Promise<KnownOperation[]>;
}

/**
 * The registry's rules over its store: a change must compose and, unless
 * allowed, must not break clients; a change that passes becomes the next
 * revision, and `onRevision` tells the gateways.
 */
export function createRegistry(
  store: RegistryStore,
  onRevision: (revision: Revision) => void,
  /** `knownOperations`: what usage-based checks protect (operationStore.ts); unset, the type rules alone decide. */
  options: { evaluator?: ChangeEvaluator; knownOperations?: () => Promise<KnownOperation[]> } = {},
): Registry {
  // Composition runs on a worker thread within a budget; the seed, at start, composes here.
  const evaluator = options.evaluator ?? sharedChangeEvaluator();
  const changes: ChangeContext = { store, evaluator, knownOperations: options.knownOperations };
  // Changes through one replica queue up; only other replicas can race it.
  const serially = createSerialQueue();
  const change = (request: ChangeRequest, describe: SubgraphChange) =>
    serially(async () => {
      const outcome = await changeWithRetries(changes, request, describe);
      if ('stored' in outcome) onRevision(outcome.stored);
      return outcome.outcome;
    });

  return {
    latest: () => store.latest(),
    checkLimits: (subgraph) => evaluator.checkLimits(subgraph),
    publish: (subgraph, request) => change(request, { action: 'publish', subgraph }),
    remove: (name, request) => change(request, { action: 'delete', name }),
    async seed(subgraphs, by) {
      const stored = await seedRevision(store, subgraphs, by);
      if (stored) onRevision(stored);
      return stored !== null;
    },
  };
}

/** Runs each piece of work after the one before has settled. */
function createSerialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };
}

type Attempt = { outcome: ChangeOutcome } | { outcome: ChangeOutcome; stored: Revision };

async function changeWithRetries(changes: ChangeContext, request: ChangeRequest, describe: SubgraphChange): Promise<Attempt> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    // Jittered, so two replicas that collided do not collide again.
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
    const result = await attemptChange(changes, request, describe);
    if (result !== 'conflict') return result;
  }
  throw new Error(`the registry changed ${MAX_ATTEMPTS} times while this change was being checked; retry it`);
}

/** One try against the newest revision: its verdict, and the revision it stored; `conflict` when another writer stored one first. */
async function attemptChange(changes: ChangeContext, request: ChangeRequest, describe: SubgraphChange): Promise<Attempt | 'conflict'> {
  const current = await changes.store.latest();
  const subgraphs = current?.subgraphs ?? [];
  if (describe.action === 'publish' && isUnchanged(subgraphs, describe.subgraph)) {
    return { outcome: { status: 'unchanged', revision: current!.revision, malls: [], breaking: [] } };
  }
  const name = describe.action === 'publish' ? describe.subgraph.name : describe.name;
  const refusal = nameRefusal(
    subgraphs.find((s) => s.name === name),
    request.scope,
  );
  if (refusal) return { outcome: { status: 'refused', reason: 'ownership', errors: [refusal] } };
  const operations = await changes.knownOperations?.();
  const verdict = await changes.evaluator.evaluate(
    { subgraphs, supergraphSdl: current?.supergraphSdl ?? null },
    describe,
    request.allowBreaking,
    request.scope,
    operations,
  );
  if (!verdict.ok) {
    return { outcome: { status: 'refused', reason: verdict.reason, errors: verdict.reason === 'breaking' ? verdict.breaking : verdict.errors } };
  }
  const previous = current?.revision ?? 0;
  const note = verdict.note ? { note: verdict.note } : {};
  if (request.dryRun) return { outcome: { status: 'checked', revision: previous, malls: verdict.malls, breaking: verdict.breaking, ...note } };
  const at = new Date();
  const stored = await changes.store.append(previous, {
    subgraphs: nextSubgraphs(subgraphs, verdict.subgraphs, { name, request, revision: previous + 1, at }),
    supergraphSdl: verdict.supergraphSdl,
    change: { action: describe.action, name, by: request.by, at },
  });
  if (stored === 'conflict') return 'conflict';
  const status = describe.action === 'publish' ? 'published' : 'deleted';
  return { outcome: { status, revision: stored.revision, malls: verdict.malls, breaking: verdict.breaking, ...note }, stored };
}

/** The composed subgraphs as the next revision holds them: the changed one newly stamped, the others as they were. */
function nextSubgraphs(
  existing: readonly PublishedSubgraph[],
  composed: readonly SubgraphDefinition[],
  change: { name: string; request: ChangeRequest; revision: number; at: Date },
): PublishedSubgraph[] {
  const byName = new Map(existing.map((s) => [s.name, s]));
  return composed.map((s) =>
    s.name === change.name
      ? { ...s, ...ownershipOf(s.sdl, change.request.scope), publishedBy: change.request.by, publishedAt: change.at, revision: change.revision }
      : byName.get(s.name)!,
  );
}

/** Stores `subgraphs` as revision 1 of an empty registry; null when it was not empty. */
async function seedRevision(store: RegistryStore, subgraphs: SubgraphDefinition[], by: string): Promise<Revision | null> {
  if (await store.latest()) return null;
  const composed = composeSupergraph([...subgraphs].sort((a, b) => a.name.localeCompare(b.name)));
  if (!composed.ok) throw new Error(`the seed subgraphs do not compose: ${composed.errors.join('; ')}`);
  const at = new Date();
  const stored = await store.append(0, {
    subgraphs: subgraphs.map((s) => ({ ...s, ...ownershipOf(s.sdl, { kind: 'admin' }), publishedBy: by, publishedAt: at, revision: 1 })),
    supergraphSdl: composed.supergraphSdl,
    change: { action: 'seed', name: null, by, at },
  });
  return stored === 'conflict' ? null : stored;
}

function isUnchanged(subgraphs: readonly PublishedSubgraph[], candidate: SubgraphDefinition): boolean {
  const existing = subgraphs.find((s) => s.name === candidate.name);
  return existing !== undefined && existing.url === candidate.url && existing.sdl === candidate.sdl;
}
