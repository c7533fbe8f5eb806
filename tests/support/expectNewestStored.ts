import type { Db } from 'mongodb';
import { expect } from 'vitest';
import type { OutgoingEvent } from '../../subgraphs/approval/events/postEvents.ts';
import { createApprovalStore } from '../../subgraphs/approval/store/approvalStore.ts';

/** A replica folding the log afresh holds, for every pair, the count of its newest-seq event (pairs never sent: nothing). */
export async function expectNewestStored(db: Db, newest: Map<string, OutgoingEvent>, users: readonly string[], systems: readonly string[]): Promise<void> {
  const store = createApprovalStore(db);
  for (const userId of users) {
    const states = await store.readStates(userId, [...systems]);
    const expected = systems.flatMap((system) => {
      const e = newest.get(`${userId}|${system}`);
      return e ? [{ system, seq: e.seq, count: e.count }] : [];
    });
    expect(
      states.map((s) => ({ system: s.system, seq: s.seq, count: s.count })),
      userId,
    ).toEqual(expected);
  }
}
