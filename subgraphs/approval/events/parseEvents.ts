import { parseDateTime } from '../../../lib/time/parseDateTime.ts';

/** One approval event, checked: the newest `seq` per (userId, system) wins. */
export interface ApprovalEvent {
  system: string;
  userId: string;
  count: number;
  occurredAt: Date;
  seq: number;
}

/** A request the producer must fix; the message names the event and the field. */
export class MalformedEventsError extends Error {
  /** `too_many` apart from the rest: the fix is splitting the batch, not the events. */
  readonly reason: 'malformed' | 'too_many';
  constructor(message: string, reason: 'malformed' | 'too_many' = 'malformed') {
    super(message);
    this.name = 'MalformedEventsError';
    this.reason = reason;
  }
}

export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_USER_ID_LENGTH = 200;
export const MAX_COUNT = 1_000_000;

/** The body's events as raw values: one object or an array of 1..1000. */
export function parseBatch(body: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedEventsError('body is not valid JSON');
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new MalformedEventsError('body holds no events; send one event or an array of them');
  if (items.length > MAX_EVENTS_PER_BATCH) {
    throw new MalformedEventsError(`body holds ${items.length} events; at most ${MAX_EVENTS_PER_BATCH} fit in one request`, 'too_many');
  }
  return items;
}

/**
 * The one system a batch belongs to: every event's `system`, all equal. It
 * picks the secret the signature is checked with, so it is read before the
 * rest of each event is validated.
 */
export function batchSystem(items: readonly unknown[]): string {
  let system: string | undefined;
  items.forEach((item, index) => {
    if (!isRecord(item)) throw new MalformedEventsError(`event ${index}: must be an object`);
    const value = item.system;
    if (typeof value !== 'string' || value === '') throw new MalformedEventsError(`event ${index}: system must be a non-empty string`);
    if (system === undefined) system = value;
    else if (value !== system) {
      throw new MalformedEventsError(`event ${index}: system "${value}" differs from "${system}"; one request carries one system's events`);
    }
  });
  if (system === undefined) throw new MalformedEventsError('body holds no events');
  return system;
}

export function validateEvents(items: readonly unknown[]): ApprovalEvent[] {
  return items.map(validateEvent);
}

/** Checks one event; unknown extra fields are ignored so producers can add some. */
export function validateEvent(item: unknown, index: number): ApprovalEvent {
  const fail: (message: string) => never = (message) => {
    throw new MalformedEventsError(`event ${index}: ${message}`);
  };
  if (!isRecord(item)) return fail('must be an object');
  const { system, userId, count, occurredAt, seq } = item;
  if (typeof system !== 'string' || system === '') fail('system must be a non-empty string');
  if (typeof userId !== 'string' || userId === '') fail('userId must be a non-empty string');
  if (userId.length > MAX_USER_ID_LENGTH) fail(`userId must be at most ${MAX_USER_ID_LENGTH} characters`);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) fail('count must be a non-negative integer');
  if (count > MAX_COUNT) fail(`count must be at most ${MAX_COUNT}`);
  // An offset is required: without one an instant is ambiguous; and no rollover of impossible days.
  const when = parseDateTime(occurredAt);
  if (!when.ok) fail(`occurredAt ${when.problem}`);
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) fail('seq must be a non-negative safe integer');
  return { system, userId, count, occurredAt: when.date, seq };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
