import type { ApprovalEvent } from '../events/parseEvents.ts';

/**
 * Events (or pair states, the same five fields) packed into one JSON string
 * of [user, system, count, seq, occurredAt ms] tuples. FerretDB turns every
 * subdocument into its own typed value on each write, lookup and read; one
 * string field costs a fraction of that (measured on a 1,000-event entry:
 * insert 42 → 8 ms, a missed `_id` lookup among 15 entries 60 → 4 ms).
 */
export function packEvents(events: readonly ApprovalEvent[]): string {
  return JSON.stringify(events.map((e) => [e.userId, e.system, e.count, e.seq, e.occurredAt.getTime()]));
}

export function unpackEvents(packed: string): ApprovalEvent[] {
  const tuples: unknown = JSON.parse(packed);
  if (!Array.isArray(tuples)) throw new Error('a packed approval record is not an array');
  return tuples.map((tuple: unknown) => {
    if (!Array.isArray(tuple) || tuple.length !== 5) throw new Error('a packed approval record holds a malformed tuple');
    const [userId, system, count, seq, at] = tuple as [unknown, unknown, unknown, unknown, unknown];
    if (typeof userId !== 'string' || typeof system !== 'string' || typeof count !== 'number' || typeof seq !== 'number' || typeof at !== 'number') {
      throw new Error('a packed approval record holds a malformed tuple');
    }
    return { userId, system, count, seq, occurredAt: new Date(at) };
  });
}
