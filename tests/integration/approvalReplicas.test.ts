import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'amqplib';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { brokerNames, deleteTopology } from '../../subgraphs/approval/broker/topology.ts';
import { postEvents } from '../../subgraphs/approval/events/postEvents.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { identityEnv } from '../support/gatewayIdentity.ts';
import { testMongoUri } from '../support/testDatabase.ts';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const prefix = `test-${randomUUID().slice(0, 8)}`;
let dir: string;
const services: ServiceProcess[] = [];
let gatewayUrl: string;
let replicaB: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-replicas-'));
  const env = { ...identityEnv, MONGODB_URI: testMongoUri(), MONGODB_DB_PREFIX: `t${randomUUID().slice(0, 8)}`, AMQP_URL, APPROVAL_BROKER_PREFIX: prefix };
  const [portA, portB, gatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
  for (const [name, port] of [
    ['approval-a', portA],
    ['approval-b', portB],
  ] as const) {
    services.push(
      await spawnService(
        { name, entry: 'subgraphs/approval/main.ts', env: { ...env, PORT: String(port) }, readyUrl: `http://127.0.0.1:${port}/healthz` },
        { logs: { logDir: dir } },
      ),
    );
  }
  replicaB = `http://127.0.0.1:${portB}`;
  // The gateway knows only replica A; events go to replica B.
  const config = join(dir, 'supergraph.yaml');
  writeFileSync(
    config,
    `subgraphs:\n  approval:\n    routing_url: http://127.0.0.1:${portA}/graphql\n    schema:\n      file: ${resolve('subgraphs/approval/schema.graphql')}\n`,
  );
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  services.push(
    await spawnService(
      {
        name: 'gateway',
        entry: 'gateway/main.ts',
        env: { ...identityEnv, PORT: String(gatewayPort), SUPERGRAPH_CONFIG: config },
        readyUrl: `${gatewayUrl}/readyz`,
      },
      { logs: { logDir: dir } },
    ),
  );
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  const connection = await connect(AMQP_URL);
  await deleteTopology(await connection.createChannel(), brokerNames(prefix)).catch(() => undefined);
  await connection.close();
  rmSync(dir, { recursive: true, force: true });
});

it('pushes an event ingested by one replica to a subscriber held by another within a second', async () => {
  const token = await signToken({ userId: 'u-replicas', secret: DEV_JWT_SECRET });
  const client = createClient({
    url: `${gatewayUrl.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const totals: number[] = [];
  let arrived: (at: number) => void = () => undefined;
  const updated = new Promise<number>((resolveUpdate) => (arrived = resolveUpdate));
  const first = new Promise<void>((resolveFirst) => {
    client.subscribe<{ approvalCountChanged: { total: number } }>(
      { query: 'subscription { approvalCountChanged { total } }' },
      {
        next: (result) => {
          const total = result.data?.approvalCountChanged.total;
          if (total === undefined) return;
          totals.push(total);
          if (totals.length === 1) resolveFirst();
          if (total === 6) arrived(Date.now());
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  });
  await first;
  const sent = Date.now();
  const result = await postEvents(
    `${replicaB}/events`,
    { system: 'finance', userId: 'u-replicas', count: 6, seq: 1, occurredAt: new Date().toISOString() },
    'dev-secret-finance',
  );
  expect(result.status).toBe(202);
  const at = await Promise.race([
    updated,
    new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`no update; saw ${totals.join(', ')}`)), 3000)),
  ]);
  expect(at - sent).toBeLessThan(1000);
  expect(totals).toEqual([0, 6]);
  await client.dispose();
});
