import { buildSchema } from 'graphql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SupergraphVersion } from '../../gateway/supergraph/supergraphVersion.ts';
import { createVersionRetention } from '../../gateway/supergraph/versionRetention.ts';

const GRACE_MS = 1000;

/** Retention only reads a version's id and schema. */
const version = (id: string) => ({ id, schema: buildSchema(`type Query { ${id}: String }`) }) as unknown as SupergraphVersion;

function setup() {
  const released: string[] = [];
  const versions = createVersionRetention({ graceMs: GRACE_MS, release: (v) => void released.push(v.id) });
  return { versions, released };
}

// The grace runs on fake timers: the test moves the clock instead of waiting it out.
beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => void vi.useRealTimers());

describe('version retention', () => {
  it('has nothing to run a request on before the first version, then runs requests of unknown schemas on the current one', () => {
    const { versions } = setup();
    const v1 = version('one');
    expect(versions.versionForRequest(v1.schema)).toBeNull();
    versions.serve(v1);
    expect(versions.current()).toBe(v1);
    expect(versions.versionOf(v1.schema)).toBe(v1);
    expect(versions.versionForRequest(buildSchema('type Query { other: String }'))).toBe(v1);
    expect(versions.versionOf(buildSchema('type Query { other: String }'))).toBeNull();
  });

  it('keeps a replaced version usable for the grace period, then releases it once', async () => {
    const { versions, released } = setup();
    const [v1, v2] = [version('one'), version('two')];
    versions.serve(v1);
    const since = versions.servingSince();
    versions.serve(v2);
    expect(versions.current()).toBe(v2);
    expect(versions.servingSince().getTime()).toBeGreaterThanOrEqual(since.getTime());
    // A request Apollo Server validated against the old schema still runs on it.
    expect(versions.versionForRequest(v1.schema)).toBe(v1);
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['one']);
    expect(versions.versionOf(v1.schema)).toBeNull();
    // Validated against a schema no longer served: refused, not run on the current version.
    expect(versions.versionForRequest(v1.schema)).toBeNull();
    expect(() => versions.hold(v1)).toThrow('supergraph one has already been released');
    await vi.advanceTimersByTimeAsync(GRACE_MS * 5);
    expect(released).toEqual(['one']);
    expect(versions.versionOf(v2.schema)).toBe(v2);
  });

  it('keeps a held version past the grace, and releases it the grace after its last hold ends', async () => {
    const { versions, released } = setup();
    const [v1, v2] = [version('one'), version('two')];
    versions.serve(v1);
    const first = versions.hold(v1);
    const second = versions.hold(v1);
    versions.serve(v2);
    await vi.advanceTimersByTimeAsync(GRACE_MS * 3);
    expect(released).toEqual([]);
    first();
    first(); // a second call gives back nothing more
    await vi.advanceTimersByTimeAsync(GRACE_MS * 3);
    expect(released).toEqual([]);
    second();
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual(['one']);
  });

  it('releases a version once when it is held and let go during its grace', async () => {
    const { versions, released } = setup();
    const [v1, v2] = [version('one'), version('two')];
    versions.serve(v1);
    versions.serve(v2);
    await vi.advanceTimersByTimeAsync(GRACE_MS / 2);
    versions.hold(v1)();
    await vi.advanceTimersByTimeAsync(GRACE_MS / 2);
    // Unheld when its grace ends: released then, and the grace its last hold started finds nothing left to release.
    expect(released).toEqual(['one']);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    expect(released).toEqual(['one']);
  });

  it('never releases the current version, and releases nothing once stopped', async () => {
    const { versions, released } = setup();
    const [v1, v2] = [version('one'), version('two')];
    versions.serve(v1);
    versions.hold(v1)();
    await vi.advanceTimersByTimeAsync(GRACE_MS * 3);
    expect(released).toEqual([]);
    versions.serve(v2);
    versions.stop();
    await vi.advanceTimersByTimeAsync(GRACE_MS * 3);
    expect(released).toEqual([]);
  });
});
