import { describe, expect, it } from 'vitest';
import { batchSystem, MalformedEventsError, parseBatch, validateEvent, validateEvents } from '../../subgraphs/approval/events/parseEvents.ts';
import { signBody, verifySignature } from '../../subgraphs/approval/events/verifySignature.ts';
import { DEMO_SYSTEMS, parseSystems, systemsFromEnv } from '../../subgraphs/approval/systems.ts';

const good = { system: 'hr', userId: 'u-1001', count: 3, occurredAt: '2026-11-22T06:00:00Z', seq: 1842 };

function malformed(step: () => unknown): string {
  try {
    step();
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedEventsError);
    return (error as Error).message;
  }
  throw new Error('expected a MalformedEventsError');
}

describe('approval event parsing', () => {
  it('accepts one event or an array, and returns dates', () => {
    expect(parseBatch(JSON.stringify(good))).toHaveLength(1);
    expect(parseBatch(JSON.stringify([good, good]))).toHaveLength(2);
    const [event] = validateEvents([good]);
    expect(event).toEqual({ ...good, occurredAt: new Date('2026-11-22T06:00:00Z') });
  });

  it('names the index and the field of a bad event', () => {
    expect(malformed(() => validateEvent({ ...good, count: -1 }, 3))).toBe('event 3: count must be a non-negative integer');
    expect(malformed(() => validateEvent({ ...good, count: 2.5 }, 0))).toBe('event 0: count must be a non-negative integer');
    expect(malformed(() => validateEvent({ ...good, count: '3' }, 0))).toBe('event 0: count must be a non-negative integer');
    expect(malformed(() => validateEvent({ ...good, count: 1_000_001 }, 0))).toBe('event 0: count must be at most 1000000');
    expect(malformed(() => validateEvent({ ...good, seq: 1.5 }, 1))).toBe('event 1: seq must be a non-negative safe integer');
    expect(malformed(() => validateEvent({ ...good, seq: 2 ** 53 }, 1))).toMatch(/event 1: seq/);
    expect(malformed(() => validateEvent({ ...good, userId: '' }, 2))).toBe('event 2: userId must be a non-empty string');
    expect(malformed(() => validateEvent({ ...good, userId: 'x'.repeat(201) }, 2))).toMatch(/event 2: userId must be at most 200/);
    expect(malformed(() => validateEvent({ ...good, occurredAt: undefined }, 4))).toMatch(/^event 4: occurredAt must be an RFC 3339 date-time/);
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-11-22 06:00' }, 4))).toMatch(/^event 4: occurredAt/);
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-11-22T06:00:00' }, 4))).toMatch(/with an offset/);
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-13-45T99:00:00Z' }, 4))).toMatch(/^event 4: occurredAt/);
    expect(malformed(() => validateEvent([good], 5))).toBe('event 5: must be an object');
  });

  it('accepts offsets, fractions and the edges of the ranges', () => {
    expect(validateEvent({ ...good, occurredAt: '2026-11-22T15:00:00.123+09:00' }, 0).occurredAt.toISOString()).toBe('2026-11-22T06:00:00.123Z');
    expect(validateEvent({ ...good, count: 0, seq: 0 }, 0)).toMatchObject({ count: 0, seq: 0 });
    expect(validateEvent({ ...good, count: 1_000_000, seq: Number.MAX_SAFE_INTEGER, extra: true }, 0).seq).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses days and times that do not exist instead of rolling them over', () => {
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-02-31T06:00:00Z' }, 7))).toBe(
      'event 7: occurredAt names a day that does not exist: 2026-02-31',
    );
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-02-29T06:00:00Z' }, 0))).toMatch(/day that does not exist: 2026-02-29/);
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-04-31T06:00:00+09:00' }, 0))).toMatch(/day that does not exist: 2026-04-31/);
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-11-22T24:00:00Z' }, 2))).toBe(
      'event 2: occurredAt names a time that does not exist: 24:00:00',
    );
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-11-22T06:60:00Z' }, 0))).toMatch(/time that does not exist: 06:60:00/);
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-11-22T06:00:00+24:00' }, 0))).toMatch(/offset that does not exist: \+24:00/);
    expect(malformed(() => validateEvent({ ...good, occurredAt: '2026-11-22T06:00Z' }, 0))).toMatch(/must be an RFC 3339 date-time/);
  });

  it('accepts leap days, offsets either side of UTC and long fractions', () => {
    expect(validateEvent({ ...good, occurredAt: '2028-02-29T23:59:59Z' }, 0).occurredAt.toISOString()).toBe('2028-02-29T23:59:59.000Z');
    expect(validateEvent({ ...good, occurredAt: '2000-02-29T00:00:00Z' }, 0).occurredAt.toISOString()).toBe('2000-02-29T00:00:00.000Z');
    expect(validateEvent({ ...good, occurredAt: '2026-03-01T08:30:00+09:00' }, 0).occurredAt.toISOString()).toBe('2026-02-28T23:30:00.000Z');
    expect(validateEvent({ ...good, occurredAt: '2026-12-31T22:00:00-05:30' }, 0).occurredAt.toISOString()).toBe('2027-01-01T03:30:00.000Z');
    expect(validateEvent({ ...good, occurredAt: '2026-11-22t06:00:00.123456789z' }, 0).occurredAt.toISOString()).toBe('2026-11-22T06:00:00.123Z');
  });

  it('refuses bad JSON, empty and oversized batches', () => {
    expect(malformed(() => parseBatch('{"system":'))).toBe('body is not valid JSON');
    expect(malformed(() => parseBatch('[]'))).toMatch(/no events/);
    expect(malformed(() => parseBatch(JSON.stringify(Array(1001).fill(good))))).toMatch(/1001 events; at most 1000/);
    expect(parseBatch(JSON.stringify(Array(1000).fill(good)))).toHaveLength(1000);
  });

  it('finds the one system of a batch', () => {
    expect(batchSystem([good, good])).toBe('hr');
    expect(malformed(() => batchSystem([good, { ...good, system: 'finance' }]))).toBe(
      'event 1: system "finance" differs from "hr"; one request carries one system\'s events',
    );
    expect(malformed(() => batchSystem([good, { ...good, system: undefined }]))).toBe('event 1: system must be a non-empty string');
    expect(malformed(() => batchSystem([null]))).toBe('event 0: must be an object');
  });
});

describe('event signatures', () => {
  const body = JSON.stringify([good]);
  it('accepts the HMAC of the exact body with the right secret', () => {
    const signature = signBody(body, 'dev-secret-hr');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(Buffer.from(body), signature, 'dev-secret-hr')).toBe(true);
    expect(verifySignature(Buffer.from(body), signature.toUpperCase().replace('SHA256', 'sha256'), 'dev-secret-hr')).toBe(true);
  });
  it('refuses another secret, another body, or a malformed header', () => {
    const signature = signBody(body, 'dev-secret-hr');
    expect(verifySignature(Buffer.from(body), signature, 'dev-secret-finance')).toBe(false);
    expect(verifySignature(Buffer.from(`${body} `), signature, 'dev-secret-hr')).toBe(false);
    expect(verifySignature(Buffer.from(body), undefined, 'dev-secret-hr')).toBe(false);
    expect(verifySignature(Buffer.from(body), signature.slice(7), 'dev-secret-hr')).toBe(false);
    expect(verifySignature(Buffer.from(body), `${signature}00`, 'dev-secret-hr')).toBe(false);
    expect(verifySignature(Buffer.from(body), 'sha256=zz', 'dev-secret-hr')).toBe(false);
  });
});

describe('business system configuration', () => {
  it('falls back to the documented demo systems', () => {
    expect(systemsFromEnv({}).map((s) => s.id)).toEqual(['hr', 'finance', 'security']);
    expect(DEMO_SYSTEMS.find((s) => s.id === 'hr')).toMatchObject({ secret: 'dev-secret-hr', url: 'https://hr.example.com/approvals' });
  });
  it('reads APPROVAL_SYSTEMS', () => {
    const raw = JSON.stringify([{ id: 'legal', name: 'Legal', url: 'https://legal.example.com/', secret: 's3' }]);
    expect(systemsFromEnv({ APPROVAL_SYSTEMS: raw })).toEqual([{ id: 'legal', name: 'Legal', url: 'https://legal.example.com/', secret: 's3' }]);
  });
  it('explains a malformed APPROVAL_SYSTEMS in one line', () => {
    const message = (raw: string) => {
      try {
        parseSystems(raw);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const entry = { id: 'hr', name: 'HR', url: 'https://hr.example.com', secret: 'x' };
    expect(message('[{')).toMatch(/^APPROVAL_SYSTEMS is not valid JSON/);
    expect(message('{}')).toMatch(/non-empty JSON array/);
    expect(message('[]')).toMatch(/non-empty JSON array/);
    expect(message(JSON.stringify([{ ...entry, id: 'a|b' }]))).toMatch(/^APPROVAL_SYSTEMS\[0\]\.id must be/);
    expect(message(JSON.stringify([entry, entry]))).toMatch(/^APPROVAL_SYSTEMS\[1\]\.id "hr" appears twice/);
    expect(message(JSON.stringify([{ ...entry, url: 'ftp://x' }]))).toMatch(/^APPROVAL_SYSTEMS\[0\]\.url must be an http\(s\) URL/);
    expect(message(JSON.stringify([{ ...entry, secret: '' }]))).toMatch(/^APPROVAL_SYSTEMS\[0\]\.secret/);
    expect(message(JSON.stringify([{ ...entry, name: 3 }]))).toMatch(/^APPROVAL_SYSTEMS\[0\]\.name/);
    for (const raw of ['[{', '[1]', JSON.stringify([{ ...entry, id: '' }])]) expect(message(raw)).not.toMatch(/\n/);
  });
});
