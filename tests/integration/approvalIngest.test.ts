import { request } from 'node:http';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import { eventsUrlOf, postEvents, type OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import { signBody } from '../../subgraphs/approval/events/verifySignature.ts';
import { createApprovalLog } from '../../subgraphs/approval/store/approvalLog.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { approvalIdentity } from '../support/gatewayIdentity.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

process.env.LOG_LEVEL ??= 'silent';
const secretOf = (system: string) => DEMO_SYSTEMS.find((s) => s.id === system)?.secret ?? 'unknown';
const event = (overrides: Partial<OutgoingEvent> = {}): OutgoingEvent => ({
  system: 'hr',
  userId: 'u-reject',
  count: 3,
  occurredAt: '2026-11-22T06:00:00Z',
  seq: 1,
  ...overrides,
});

async function startOn(db: Db): Promise<ApprovalSubgraph> {
  return createApprovalSubgraph({ db, port: 0, systems: DEMO_SYSTEMS, identity: approvalIdentity, changeFeed: createInProcessChangeFeed() });
}

async function storedDocuments(db: Db): Promise<number> {
  return (await createApprovalLog(db).readAfter(0)).length;
}

describe('POST /events rejects bad requests and stores nothing of them', () => {
  let database: MongoConnection;
  let subgraph: ApprovalSubgraph;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase('approval_reject');
    subgraph = await startOn(database.db);
    url = eventsUrlOf(subgraph.url);
  });
  afterAll(async () => {
    await subgraph?.close();
    await database?.close();
  });

  const sendRaw = async (body: string, headers: Record<string, string>) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, body: (await response.json()) as { error?: string } };
  };

  const cases: Array<[string, () => Promise<{ status: number; body: { error?: unknown } }>, number, RegExp]> = [
    ['a bad signature', () => postEvents(url, [event()], 'not-the-secret'), 401, /^bad signature/],
    ['no signature', () => sendRaw(JSON.stringify(event()), {}), 401, /^bad signature/],
    ['a malformed signature header', () => sendRaw(JSON.stringify(event()), { 'x-signature': 'md5=abc' }), 401, /^bad signature/],
    ['an unknown system', () => postEvents(url, [event({ system: 'nope' })], 'whatever'), 401, /^unknown system "nope"$/],
    ['malformed JSON', () => postEvents(url, '[{"system": "hr",', secretOf('hr')), 400, /^body is not valid JSON$/],
    [
      '1,001 events',
      () =>
        postEvents(
          url,
          Array.from({ length: 1001 }, (_, i) => event({ seq: i })),
          secretOf('hr'),
        ),
      400,
      /1001 events; at most 1000/,
    ],
    [
      'a negative count',
      () => postEvents(url, [event(), event({ seq: 2 }), event({ seq: 3 }), event({ count: -1 })], secretOf('hr')),
      400,
      /^event 3: count must be a non-negative integer$/,
    ],
    ['a non-integer seq', () => postEvents(url, [event({ seq: 1.5 })], secretOf('hr')), 400, /^event 0: seq must be a non-negative safe integer$/],
    [
      'a missing field',
      () => postEvents(url, [event(), { ...event({ seq: 9 }), occurredAt: undefined } as unknown as OutgoingEvent], secretOf('hr')),
      400,
      /^event 1: occurredAt must be/,
    ],
    ['mixed systems', () => postEvents(url, [event(), event({ system: 'finance' })], secretOf('hr')), 400, /^event 1: system "finance" differs from "hr"/],
    ['a secret of another configured system', () => postEvents(url, [event()], secretOf('finance')), 401, /^bad signature/],
  ];

  it.each(cases)('refuses %s', async (_name, send, status, message) => {
    const result = await send();
    expect(result.status).toBe(status);
    expect(result.body.error).toMatch(message);
    expect(await storedDocuments(database.db)).toBe(0);
  });

  it('refuses a 10 MB body with 413 by its declared length', async () => {
    const body = JSON.stringify([event({ userId: 'x'.repeat(10 * 1024 * 1024) })]);
    const result = await sendRaw(body, { 'x-signature': signBody(body, secretOf('hr')) });
    expect(result.status).toBe(413);
    expect(result.body.error).toMatch(/body exceeds 1048576 bytes/);
    expect(await storedDocuments(database.db)).toBe(0);
  });

  it('refuses a streamed 10 MB body with 413 without reading it all', async () => {
    const target = new URL(url);
    const { status, text, sent } = await new Promise<{ status: number; text: string; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'transfer-encoding': 'chunked', 'x-signature': 'sha256=00' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, sent }));
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(text).toMatch(/body exceeds/);
    expect(sent).toBeLessThan(10 * 1024 * 1024);
    expect(await storedDocuments(database.db)).toBe(0);
  });

  it('accepts a valid batch afterwards and answers with a summary', async () => {
    const result = await postEvents(url, [event(), event({ seq: 2, count: 5 }), event({ seq: 2, count: 7 })], secretOf('hr'));
    expect(result).toEqual({ status: 202, body: { accepted: 3, applied: 1, ignoredAsOld: 2 } });
    const again = await postEvents(url, event({ seq: 2, count: 9 }), secretOf('hr'));
    expect(again).toEqual({ status: 202, body: { accepted: 1, applied: 0, ignoredAsOld: 1 } });
    const [state] = await createApprovalStore(database.db).readStates('u-reject', ['hr']);
    expect(state).toMatchObject({ count: 5, seq: 2 });
  });
});
