import { GraphQLError, Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar } from '../../lib/subgraph/dateTimeScalar.ts';
import { parseDateTime } from '../../lib/time/parseDateTime.ts';

describe('RFC 3339 date-times', () => {
  it.each([
    ['2026-02-31T06:00:00Z', 'names a day that does not exist: 2026-02-31'],
    ['2100-02-29T06:00:00Z', 'names a day that does not exist: 2100-02-29'],
    ['2026-00-10T06:00:00Z', 'names a day that does not exist: 2026-00-10'],
    ['2026-11-22T24:00:00Z', 'names a time that does not exist: 24:00:00'],
    ['2026-11-22T23:59:61Z', 'names a time that does not exist: 23:59:61'],
    ['2026-12-31T23:59:60Z', 'names a leap second (23:59:60), which cannot be stored; send 23:59:59 instead'],
    ['2026-11-22T06:00:00+09:60', 'has an offset that does not exist: +09:60'],
    ['2026-11-22T06:00:00+0900', 'must be an RFC 3339 date-time with an offset, like 2026-11-22T06:00:00Z'],
    ['2026-11-22 06:00:00Z', 'must be an RFC 3339 date-time with an offset, like 2026-11-22T06:00:00Z'],
  ])('refuses %s', (text, problem) => {
    expect(parseDateTime(text)).toEqual({ ok: false, problem });
  });

  it.each([
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['2026-01-01T00:30:00+09:00', '2025-12-31T15:30:00.000Z'],
    ['2026-11-22T06:00:00.5-00:00', '2026-11-22T06:00:00.500Z'],
  ])('reads %s as %s', (text, iso) => {
    const reading = parseDateTime(text);
    expect(reading.ok && reading.date.toISOString()).toBe(iso);
  });
});

describe('the DateTime scalar', () => {
  it('uses the same rule for variables and literals', () => {
    expect(() => DateTimeScalar.parseValue('2026-02-31T06:00:00Z')).toThrow(GraphQLError);
    expect(() => DateTimeScalar.parseValue('2026-02-31T06:00:00Z')).toThrow('DateTime names a day that does not exist: 2026-02-31');
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2026-11-22T24:00:00Z' })).toThrow(/time that does not exist/);
    expect(DateTimeScalar.parseValue('2026-11-22T15:00:00+09:00')).toEqual(new Date('2026-11-22T06:00:00Z'));
    expect(DateTimeScalar.serialize(new Date('2026-11-22T06:00:00Z'))).toBe('2026-11-22T06:00:00.000Z');
  });
});
