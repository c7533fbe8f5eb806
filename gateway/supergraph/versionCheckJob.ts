/**
 * The gateway's build-check thread (see createVersionCheck.ts): builds
 * everything a version serves with, as the serving thread is about to, and
 * reports how long it took. Nothing built here is kept: a query planner
 * cannot move between threads.
 */
import { buildSupergraphParts } from './supergraphVersion.ts';

// Not run at lower priority (unlike the registry's composition): the check is
// short at the registry's limits, and a new revision should go live promptly.

export default function versionCheckJob([sdl]: [string]): { buildMs: number } {
  const started = performance.now();
  buildSupergraphParts(sdl);
  return { buildMs: Math.round(performance.now() - started) };
}
