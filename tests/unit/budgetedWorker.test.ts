import { afterAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, createBudgetedWorker } from '../../lib/worker/createBudgetedWorker.ts';

const worker = createBudgetedWorker<['echo' | 'spin' | 'allocate', number], number>(
  new URL('../fixtures/workers/budgetJob.ts', import.meta.url),
  { timeoutMs: 1500, maxHeapMb: 64 },
  'the test job',
);
afterAll(() => worker.close());

describe('a budgeted worker thread', () => {
  it("runs TypeScript off the caller's thread", async () => {
    expect(await worker.run('echo', 7)).toBe(7);
  });

  it('stops a job past its time, while the caller keeps running, and runs the next job on a fresh thread', async () => {
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    const started = Date.now();
    const stopped = await worker.run('spin', 0).catch((error: unknown) => error);
    clearInterval(ticker);
    expect(stopped).toBeInstanceOf(BudgetExceededError);
    expect((stopped as Error).message).toBe('the test job took longer than its budget of 1500 ms and was stopped');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ticks).toBeGreaterThan(40); // the caller's event loop went on
    expect(await worker.run('echo', 8)).toBe(8);
  });

  it('stops a job that needs more memory than its budget, and runs the next one', async () => {
    const stopped = await worker.run('allocate', 1).catch((error: unknown) => error);
    expect((stopped as Error).message).toBe('the test job needed more than its budget of 64 MB of memory and was stopped');
    expect(await worker.run('echo', 9)).toBe(9);
  });
});
