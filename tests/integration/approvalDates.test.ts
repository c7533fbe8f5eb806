import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createInProcessChangeFeed } from '../../subgraphs/approval/changeFeed.ts';
import { createApprovalSubgraph, type ApprovalSubgraph } from '../../subgraphs/approval/createApprovalSubgraph.ts';
import { eventsUrlOf, postEvents, type OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import { createApprovalLog } from '../../subgraphs/approval/store/approvalLog.ts';
import { DEMO_SYSTEMS } from '../../subgraphs/approval/systems.ts';
import { approvalIdentity } from '../support/gatewayIdentity.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

process.env.LOG_LEVEL ??= 'silent';
const HR_SECRET = DEMO_SYSTEMS.find((s) => s.id === 'hr')?.secret ?? 'unknown';
const event = (occurredAt: string, seq: number): OutgoingEvent => ({ system: 'hr', userId: 'u-dates', count: 3, occurredAt, seq });

describe('POST /events refuses date-times that do not exist', () => {
  let database: MongoConnection;
  let subgraph: ApprovalSubgraph;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase('approval_dates');
    subgraph = await createApprovalSubgraph({
      db: database.db,
      port: 0,
      systems: DEMO_SYSTEMS,
      identity: approvalIdentity,
      changeFeed: createInProcessChangeFeed(),
    });
    url = eventsUrlOf(subgraph.url);
  });
  afterAll(async () => {
    await subgraph?.close();
    await database?.close();
  });

  it.each([
    ['2026-02-31T06:00:00Z', 'event 1: occurredAt names a day that does not exist: 2026-02-31'],
    ['2026-11-22T24:00:00Z', 'event 1: occurredAt names a time that does not exist: 24:00:00'],
  ])('answers 400 for %s, naming the event and the field, and stores nothing', async (occurredAt, message) => {
    const result = await postEvents(url, [event('2026-11-22T06:00:00Z', 1), event(occurredAt, 2)], HR_SECRET);
    expect(result).toEqual({ status: 400, body: { error: message } });
    expect(await createApprovalLog(database.db).readAfter(0)).toHaveLength(0);
  });

  it('stores a leap day with an offset as its UTC instant', async () => {
    const result = await postEvents(url, event('2028-02-29T08:00:00+09:00', 3), HR_SECRET);
    expect(result.status).toBe(202);
    const entries = await createApprovalLog(database.db).readAfter(0);
    expect(JSON.stringify(entries)).toContain('2028-02-28T23:00:00.000Z');
  });
});
