/**
 * The gateway's build-check thread (see createVersionCheck.ts): builds
 * everything a version serves with, as the serving thread is about to, and
 * reports how long it took. Nothing built here is kept: a query planner
 * cannot move between threads.
 */
import { lowerThreadPriority } from '../../lib/worker/lowerThreadPriority.ts';
import { buildSupergraphParts } from './supergraphVersion.ts';

// As the registry's composition: on a busy machine the serving thread gets the CPU first.
lowerThreadPriority();

export default function versionCheckJob([sdl]: [string]): { buildMs: number } {
  const started = performance.now();
  buildSupergraphParts(sdl);
  return { buildMs: Math.round(performance.now() - started) };
}
