import { describe, expect, it } from 'vitest';
import { createCoalescedRunner } from '../../gateway/supergraph/createCoalescedRunner.ts';
import { waitFor } from '../support/waitFor.ts';

/** A task whose runs end only when released, counting how many started. */
function heldTask(options: { failing?: boolean } = {}) {
  const state = { started: 0, release: () => undefined as void };
  const task = () => {
    state.started++;
    return new Promise<void>((resolve, reject) => {
      state.release = () => (options.failing ? reject(new Error('registry unreachable')) : resolve());
    });
  };
  return { state, task };
}

describe('coalesced runner (supergraph checks)', () => {
  it('runs once more after the run in progress, however many requests came during it', async () => {
    const { state, task } = heldTask();
    const runner = createCoalescedRunner(task);
    runner.request();
    runner.request();
    runner.request();
    expect(state.started).toBe(1);
    state.release();
    await waitFor('the follow-up run', () => state.started === 2);
    state.release();
    const stopped = runner.stop();
    await stopped;
    expect(state.started).toBe(2);
  });

  it('keeps running after a run fails', async () => {
    const { state, task } = heldTask({ failing: true });
    const runner = createCoalescedRunner(task);
    runner.request();
    state.release();
    await waitFor('the failed run to end', async () => {
      runner.request();
      await Promise.resolve();
      return state.started === 2;
    });
    state.release();
    await runner.stop();
  });

  it('waits for the run in progress when stopped and starts none after, even one requested during it', async () => {
    const { state, task } = heldTask();
    const runner = createCoalescedRunner(task);
    runner.request();
    runner.request();
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    state.release();
    await stopping;
    runner.request();
    expect(state.started).toBe(1);
  });
});
