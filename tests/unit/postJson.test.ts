import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson } from '../../gateway/dataSources/postJson.ts';

let agent: Agent | undefined;
afterEach(async () => {
  await agent?.destroy();
});

describe('a subgraph fetch', () => {
  it('times out within its deadline while still connecting', async () => {
    // A connection that never completes, as to a host that drops the SYN; no traffic leaves the machine.
    agent = new Agent({ connect: () => undefined });
    const started = performance.now();
    const fetching = postJson(agent, {
      origin: 'http://127.0.0.1:9',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      deadlineMs: 300,
    });
    await expect(fetching).rejects.toMatchObject({ name: 'TimeoutError', timeout: true });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
