import { describe, expect, it } from 'vitest';
import { createRequestSharing } from '../../gateway/dataSources/createRequestSharing.ts';

/** A request that answers when told to, and records whether it was cancelled. */
function heldRequest() {
  let answer: (value: { n: number }) => void = () => undefined;
  const state = { starts: 0, cancelled: false };
  const start = (signal: AbortSignal | undefined) => {
    state.starts += 1;
    signal?.addEventListener('abort', () => (state.cancelled = true));
    return new Promise<{ n: number }>((resolve) => (answer = resolve));
  };
  return { start, state, answer: (n: number) => answer({ n }) };
}

const sharing = () => createRequestSharing<{ n: number }>({ copy: (v) => ({ ...v }), copyError: (e) => e, leftError: () => new Error('left') });

describe('request sharing with callers that may leave', () => {
  it('keeps the shared request going while one caller is left, and gives that caller the answer', async () => {
    const shared = sharing();
    const request = heldRequest();
    const first = new AbortController();
    const second = new AbortController();
    const a = shared.run('k', request.start, first.signal);
    const b = shared.run('k', request.start, second.signal);
    first.abort();
    await expect(a).rejects.toThrow('left');
    expect(request.state.cancelled).toBe(false);
    request.answer(7);
    await expect(b).resolves.toEqual({ n: 7 });
    expect(request.state.starts).toBe(1);
  });

  it('cancels the shared request once every caller has left, and starts afresh for the next', async () => {
    const shared = sharing();
    const request = heldRequest();
    const callers = [new AbortController(), new AbortController()];
    const runs = callers.map((c) => shared.run('k', request.start, c.signal));
    callers[0]!.abort();
    expect(request.state.cancelled).toBe(false);
    callers[1]!.abort();
    await Promise.all(runs.map((r) => expect(r).rejects.toThrow('left')));
    expect(request.state.cancelled).toBe(true);
    expect(shared.inFlight()).toBe(0);
    const again = shared.run('k', request.start, new AbortController().signal);
    expect(request.state.starts).toBe(2);
    request.answer(1);
    await expect(again).resolves.toEqual({ n: 1 });
  });

  it('never cancels a request a caller without a signal waits for', async () => {
    const shared = sharing();
    const request = heldRequest();
    const deferred = new AbortController();
    const leaving = shared.run('k', request.start, deferred.signal);
    const staying = shared.run('k', request.start);
    deferred.abort();
    await expect(leaving).rejects.toThrow('left');
    expect(request.state.cancelled).toBe(false);
    request.answer(3);
    await expect(staying).resolves.toEqual({ n: 3 });
  });

  it('refuses at once a caller whose signal has already aborted, without starting anything', async () => {
    const shared = sharing();
    const request = heldRequest();
    const gone = new AbortController();
    gone.abort();
    await expect(shared.run('k', request.start, gone.signal)).rejects.toThrow('left');
    expect(request.state.starts).toBe(0);
  });
});
