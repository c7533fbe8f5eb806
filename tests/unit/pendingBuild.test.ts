import { describe, expect, it } from 'vitest';
import { supergraphId } from '../../composition/supergraphId.ts';
import type { VersionCheck } from '../../gateway/supergraph/createVersionCheck.ts';
import { createPendingBuild } from '../../gateway/supergraph/pendingBuild.ts';
import type { SupergraphParts } from '../../gateway/supergraph/supergraphVersion.ts';
import { recordingLogger } from '../support/logs.ts';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * A build queue whose worker check and serving-thread build wait for the test:
 * `checks`/`builds` list what was asked, in order, each with the hand to settle it.
 */
function setup() {
  const log = recordingLogger(['warn']);
  const checks: Array<{ sdl: string } & ReturnType<typeof deferred<{ buildMs: number }>>> = [];
  const builds: Array<{ sdl: string } & ReturnType<typeof deferred<SupergraphParts>>> = [];
  const served: string[] = [];
  const state = { opened: 0, closed: 0 };
  const check: VersionCheck = {
    check(sdl) {
      const d = deferred<{ buildMs: number }>();
      checks.push({ sdl, ...d });
      return d.promise;
    },
    async close() {
      state.closed += 1;
      for (const c of checks) c.reject(new Error('the build check was closed'));
    },
  };
  const queue = createPendingBuild({
    openCheck: () => {
      state.opened += 1;
      return check;
    },
    build(sdl) {
      const d = deferred<SupergraphParts>();
      builds.push({ sdl, ...d });
      return d.promise;
    },
    switchTo: (parts) => void served.push(parts.sdl),
    servingId: () => served.at(-1) ?? 'first',
    log,
  });
  const parts = (sdl: string) => ({ sdl }) as SupergraphParts;
  return { queue, checks, builds, served, state, log, parts };
}

describe('pending supergraph build', () => {
  it('checks, then builds and serves a candidate; one arriving meanwhile replaces the waiting one, so only the newest is built', async () => {
    const { queue, checks, builds, served, parts } = setup();
    queue.offer('A');
    queue.offer('B'); // replaces nothing yet: A is already being checked
    queue.offer('C'); // replaces B
    expect(checks.map((c) => c.sdl)).toEqual(['A']);
    checks[0]!.resolve({ buildMs: 1 });
    await expectSoon(() => checks.length === 2);
    // A was overtaken while checked: not built, C checked next.
    expect(builds).toEqual([]);
    expect(checks[1]!.sdl).toBe('C');
    checks[1]!.resolve({ buildMs: 1 });
    await expectSoon(() => builds.length === 1);
    builds[0]!.resolve(parts('C'));
    await queue.settled();
    expect(served).toEqual(['C']);
    expect(queue.rejected()).toBeNull();
  });

  it('refuses a candidate its check fails, logs why in one line, and forgets the refusal at the next switch', async () => {
    const { queue, checks, builds, served, log, parts } = setup();
    queue.offer('too big');
    checks[0]!.reject(new Error('building the new supergraph took longer than its budget of 50 ms and was stopped'));
    await queue.settled();
    expect(served).toEqual([]);
    expect(log.lines).toEqual([
      `keeping supergraph first: candidate ${supergraphId('too big')} refused, building the new supergraph took longer than its budget of 50 ms and was stopped; publish a smaller change`,
    ]);
    expect(queue.rejected()).toMatchObject({ id: supergraphId('too big'), reason: expect.stringContaining('longer than its budget') });
    expect(Date.parse(queue.rejected()!.at)).not.toBeNaN();
    queue.offer('small');
    checks[1]!.resolve({ buildMs: 1 });
    await expectSoon(() => builds.length === 1);
    builds[0]!.resolve(parts('small'));
    await queue.settled();
    expect(served).toEqual(['small']);
    expect(queue.rejected()).toBeNull();
  });

  it('forgets the waiting candidate and the refusal when the source moves back to what is served', async () => {
    const { queue, checks, builds, served, parts } = setup();
    queue.offer('bad');
    checks[0]!.reject(new Error('does not build'));
    await queue.settled();
    expect(queue.rejected()).not.toBeNull();
    queue.offer('next');
    queue.offer('newest'); // waits behind `next`'s check
    queue.cancel();
    expect(queue.rejected()).toBeNull();
    // The cancel drops only what waits: the candidate already under way carries on.
    checks[1]!.resolve({ buildMs: 1 });
    await expectSoon(() => builds.length === 1);
    builds[0]!.resolve(parts('next'));
    await queue.settled();
    expect(checks.map((c) => c.sdl)).toEqual(['bad', 'next']);
    expect(served).toEqual(['next']);
  });

  it('opens the check once, at warm-up, and on stop drops a half-built candidate silently and closes the check', async () => {
    const { queue, checks, builds, served, state, log, parts } = setup();
    queue.warmUp('current');
    queue.offer('A');
    expect(state.opened).toBe(1);
    checks[1]!.resolve({ buildMs: 1 });
    await expectSoon(() => builds.length === 1);
    const stopped = queue.stop();
    builds[0]!.resolve(parts('A'));
    await stopped;
    expect(state.closed).toBe(1);
    expect(served).toEqual([]);
    expect(log.lines).toEqual([]);
    queue.offer('B');
    await queue.settled();
    expect(checks.map((c) => c.sdl)).toEqual(['current', 'A']);
  });
});

/** The queue moves on in promise callbacks only: a few turns of the event loop are enough. */
async function expectSoon(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 20 && !condition(); turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}
