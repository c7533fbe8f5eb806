import { supergraphId } from '../../composition/supergraphId.ts';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { createBuildPacer } from './buildPacer.ts';
import type { VersionCheck } from './createVersionCheck.ts';
import { buildValidatedPartsInSlices, type SupergraphParts } from './supergraphVersion.ts';

/** The serving thread's pause between build steps, so requests in flight move on: twice the step, at least 5 ms. */
const BUILD_PAUSE_MS = 5;
const BUILD_PAUSE_RATIO = 2;

/** Builds an SDL the version check already built, in paced slices on the serving thread. */
export const buildInPacedSlices = (sdl: string): Promise<SupergraphParts> =>
  buildValidatedPartsInSlices(sdl, createBuildPacer(BUILD_PAUSE_MS, BUILD_PAUSE_RATIO));

export interface Refusal {
  id: string;
  at: string;
  reason: string;
}

export interface PendingBuildOptions {
  /** Opens the worker-thread check; called once, at the first candidate or warm-up. */
  openCheck(): VersionCheck;
  /** Builds a checked candidate on the serving thread. */
  build(sdl: string): Promise<SupergraphParts>;
  /** Serves a built candidate. */
  switchTo(parts: SupergraphParts): void;
  /** The id of the supergraph served now, for the refusal's log line. */
  servingId(): string | undefined;
  log: Logger;
}

export interface PendingBuild {
  /** Queues a candidate; one still waiting is replaced, so only the newest is built. */
  offer(sdl: string): void;
  /** The source moved back to what is served: forgets the waiting candidate and the last refusal. */
  cancel(): void;
  /** Starts the worker and builds `sdl` on it, so the first real candidate does not wait for modules to load. */
  warmUp(sdl: string): void;
  /** The newest candidate refused since the last switch, and why. */
  rejected(): Refusal | null;
  /** Resolves once every candidate offered so far has been switched to or refused. */
  settled(): Promise<void>;
  /** Stops building (a candidate half built is dropped) and closes the worker. */
  stop(): Promise<void>;
}

/**
 * A new supergraph is first built on a worker thread within the budget (a
 * candidate over it is refused and the current version kept), then built
 * again on the serving thread in slices with pauses, since a query planner
 * cannot move between threads; the registry's publish limits keep those
 * slices short. Supergraphs that arrive meanwhile wait; only the newest is built.
 */
export function createPendingBuild(options: PendingBuildOptions): PendingBuild {
  const { log } = options;
  const queue = {
    waiting: null as string | null,
    running: null as Promise<void> | null,
    stopped: false,
    rejected: null as Refusal | null,
    check: undefined as VersionCheck | undefined,
  };
  const check = () => (queue.check ??= options.openCheck());

  const buildWaiting = async () => {
    while (queue.waiting !== null && !queue.stopped) {
      const sdl = queue.waiting;
      queue.waiting = null;
      const id = supergraphId(sdl);
      try {
        await check().check(sdl);
        if (queue.stopped || queue.waiting !== null) continue;
        const parts = await options.build(sdl);
        if (queue.stopped || queue.waiting !== null) continue;
        queue.rejected = null;
        options.switchTo(parts);
      } catch (error) {
        if (queue.stopped) return;
        const reason = errorMessage(error);
        log.warn(`keeping supergraph ${options.servingId() ?? '(none)'}: candidate ${id} refused, ${reason}; publish a smaller change`);
        queue.rejected = { id, at: new Date().toISOString(), reason };
      }
    }
  };

  return {
    offer(sdl) {
      queue.waiting = sdl;
      queue.running ??= buildWaiting().finally(() => (queue.running = null));
    },
    cancel() {
      queue.waiting = null;
      queue.rejected = null;
    },
    warmUp(sdl) {
      check()
        .check(sdl)
        .catch(() => undefined);
    },
    rejected: () => queue.rejected,
    async settled() {
      while (queue.running) await queue.running;
    },
    async stop() {
      queue.stopped = true;
      await queue.check?.close();
      await queue.running;
    },
  };
}
