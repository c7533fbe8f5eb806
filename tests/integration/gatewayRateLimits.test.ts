import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/createGateway.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { freePort } from '../../lib/http/freePort.ts';
import type { Logger } from '../../lib/log.ts';
import { startCostSubgraph, startEdgeGateway, type CostSubgraph } from '../support/edgeGateway.ts';
import { waitFor } from '../support/waitFor.ts';

const PER_CLIENT = 6;
const PER_USER = 3;

/** A private redis-server, so stopping it disturbs no other suite. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const up = () =>
    new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  await waitFor('a private redis-server to start', up);
  return child;
}
async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

let subgraph: CostSubgraph;
let redis: ChildProcess;
let redisPort: number;
const replicas: Array<RunningGateway & { graphqlUrl: string; lines: string[] }> = [];

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  subgraph = await startCostSubgraph();
  for (let i = 0; i < 2; i += 1) {
    const lines: string[] = [];
    const log: Logger = { info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
    const rateLimits = { windowSeconds: 60, perClient: PER_CLIENT, perUser: PER_USER, redisUrl: `redis://127.0.0.1:${redisPort}` };
    replicas.push({ ...(await startEdgeGateway(subgraph.url, { rateLimits }, log)), lines });
  }
  await waitFor('both replicas to share their limits through Redis', () =>
    replicas.every((r) => r.lines.some((l) => /rate limits shared through Redis/.test(l))),
  );
});
afterAll(async () => {
  for (const replica of replicas) await replica.close();
  await subgraph?.close();
  if (redis) await stopRedis(redis);
});

async function ask(
  replica: number,
  headers: Record<string, string>,
): Promise<{ status: number; retryAfter: string | null; body: { errors?: Array<{ message: string; extensions?: { code?: string } }> } }> {
  const response = await fetch(replicas[replica]!.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{"query":"{ tree { name } }"}',
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as never };
}
const client = (name: string) => ({ 'apollographql-client-name': name });

describe('rate limits shared by gateway replicas through Redis', () => {
  it("hold one client to one budget across both replicas, answering 429 with Retry-After, while another client's requests go on", async () => {
    for (let i = 0; i < PER_CLIENT; i += 1) expect((await ask(i % 2, client('app-a'))).status).toBe(200);
    for (const replica of [0, 1]) {
      const refused = await ask(replica, client('app-a'));
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
      expect(refused.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^too many requests from client "app-a"; retry after \d+ s$/),
        extensions: { code: 'RATE_LIMITED' },
      });
    }
    expect((await ask(0, client('app-b'))).status).toBe(200);
    expect((await ask(1, client('app-b'))).status).toBe(200);
  });

  it('hold one signed-in user to one budget across both replicas, whichever client they use', async () => {
    const alice = { authorization: `Bearer ${await signToken({ userId: 'alice', secret: 'edge-test-secret' })}` };
    const bob = { authorization: `Bearer ${await signToken({ userId: 'bob', secret: 'edge-test-secret' })}` };
    for (let i = 0; i < PER_USER; i += 1) expect((await ask(i % 2, { ...alice, ...client(`user-app-${i}`) })).status).toBe(200);
    const refused = await ask(1, { ...alice, ...client('user-app-x') });
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.message).toMatch(/^too many requests from this user;/);
    expect((await ask(0, { ...bob, ...client('user-app-y') })).status).toBe(200);
  });

  it('keep answering under load while Redis is stopped (each replica limiting alone, said once) and share again once it is restarted', async () => {
    let stop = false;
    const statuses: number[] = [];
    const failures: string[] = [];
    let n = 0;
    // Two clients' worth of load on each replica, every request a fresh client name so none is limited.
    const worker = async (replica: number) => {
      while (!stop) {
        try {
          statuses.push((await ask(replica, client(`load-${(n += 1)}`))).status);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const load = Promise.all([worker(0), worker(0), worker(1), worker(1)]);
    try {
      await waitFor('some load through both replicas', () => statuses.length >= 20);
      await stopRedis(redis);
      await waitFor('both replicas to notice Redis is gone', () => replicas.every((r) => r.lines.some((l) => /cannot reach Redis/.test(l))));
      const during = statuses.length;
      await waitFor('load to go on without Redis', () => statuses.length >= during + 40);

      // Alone, each replica allows the client its whole budget.
      for (const replica of [0, 1]) for (let i = 0; i < PER_CLIENT; i += 1) expect((await ask(replica, client('app-c'))).status).toBe(200);
      expect((await ask(0, client('app-c'))).status).toBe(429);

      redis = await startRedis(redisPort);
      await waitFor(
        'both replicas to share again',
        () => replicas.every((r) => r.lines.some((l) => /rate limits shared through Redis at .* again/.test(l))),
        20_000,
      );
      const after = statuses.length;
      await waitFor('load to go on with Redis back', () => statuses.length >= after + 20);
    } finally {
      stop = true;
      await load;
    }
    expect(failures).toEqual([]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (const replica of replicas) {
      // One line when it went, one when it came back: however many reconnection attempts failed between.
      expect(replica.lines.filter((l) => /cannot reach Redis/.test(l))).toHaveLength(1);
      expect(replica.lines.filter((l) => /shared through Redis .* again/.test(l))).toHaveLength(1);
    }
    for (let i = 0; i < PER_CLIENT; i += 1) expect((await ask(i % 2, client('app-d'))).status).toBe(200);
    expect((await ask(0, client('app-d'))).status).toBe(429);
  });
});
