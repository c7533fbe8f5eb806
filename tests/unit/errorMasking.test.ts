import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorMasker } from '../../lib/errors/createErrorMasker.ts';
import { redactAddresses } from '../../lib/errors/redactAddresses.ts';
import { SiteFetchError } from '../../subgraphs/malls/kit/fetchPage.ts';
import { toMallError } from '../../subgraphs/malls/kit/mallError.ts';

function masker() {
  const lines: string[] = [];
  const log = { info: () => undefined, warn: () => undefined, error: (line: string) => void lines.push(line) };
  return { lines, format: createErrorMasker({ where: 'subgraph approval', log, passThrough: (e) => e.extensions?.serviceName === 'hanbit' }) };
}

const formatted = (message: string, extensions?: Record<string, unknown>): GraphQLFormattedError => ({ message, path: ['me', 'approvals'], extensions });

describe('error masking', () => {
  it('replaces an unexpected error with an id and logs the original under it', () => {
    const { lines, format } = masker();
    const driver = new Error('connect ECONNREFUSED 127.0.0.1:4027');
    const shown = format(formatted(driver.message, { code: 'INTERNAL_SERVER_ERROR' }), new GraphQLError(driver.message, { originalError: driver }));
    const id = /^internal error in subgraph approval; see its log \(id ([0-9a-f]{8})\)$/.exec(shown.message)?.[1];
    expect(id).toBeDefined();
    expect(shown).toEqual({ message: shown.message, path: ['me', 'approvals'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(lines).toEqual([`unexpected error at me.approvals (id ${id}), masked for the client: Error: connect ECONNREFUSED 127.0.0.1:4027`]);
  });

  it('masks an error without a code too, and gives each its own id', () => {
    const { format } = masker();
    const first = format(formatted('Cannot read properties of undefined'), new TypeError('x'));
    const second = format(formatted('Cannot read properties of undefined'), new TypeError('x'));
    expect(first.message).toMatch(/^internal error in subgraph approval/);
    expect(first.message).not.toBe(second.message);
  });

  it('passes errors raised on purpose, and those the caller passes through, without addresses', () => {
    const { lines, format } = masker();
    const unauthenticated = formatted('a subscription needs a signed-in user', { code: 'UNAUTHENTICATED' });
    expect(format(unauthenticated, null)).toBe(unauthenticated);
    expect(format(formatted('site http://10.0.0.5:8080/x failed', { code: 'BAD_USER_INPUT' }), null).message).toBe('site (address withheld) failed');
    expect(
      format(formatted('internal error in subgraph hanbit; see its log (id 0123abcd)', { code: 'INTERNAL_SERVER_ERROR', serviceName: 'hanbit' }), null).message,
    ).toBe('internal error in subgraph hanbit; see its log (id 0123abcd)');
    expect(lines).toEqual([]);
  });
});

describe('address redaction', () => {
  it.each([
    ['connect ECONNREFUSED 127.0.0.1:4027', 'connect ECONNREFUSED (address withheld)'],
    ['connect ECONNREFUSED ::1:4027', 'connect ECONNREFUSED (address withheld)'],
    ['[::1]:4027 refused', '(address withheld) refused'],
    ['connection to mongo:27017 closed', 'connection to (address withheld) closed'],
    ['request to http://approval.internal/graphql failed', 'request to (address withheld) failed'],
  ])('withholds the address in %j', (message, redacted) => {
    expect(redactAddresses(message)).toBe(redacted);
  });

  it.each([
    'DateTime names a time that does not exist: 24:00:00',
    'keyword must not contain control characters or invisible formatting; found U+200B at character 4',
    'subgraph "hanbit" failed (ECONNREFUSED); its part of the result is missing',
    'Cannot query field "std::string" on type "Query".',
  ])('leaves %j alone', (message) => {
    expect(redactAddresses(message)).toBe(message);
  });
});

describe('a mall search error as the client reads it', () => {
  it('keeps a site failure and its code, without the address the crawler used', () => {
    expect(toMallError(new SiteFetchError('SITE_UNAVAILABLE', 'http://10.0.0.8:4100/hanbit/search?q=x answered 500'), 'hanbit')).toEqual({
      code: 'SITE_UNAVAILABLE',
      message: 'hanbit: (address withheld) answered 500',
    });
  });

  it("hides a driver's or the system's message behind CRAWL_FAILED", () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4027'), { code: 'ECONNREFUSED', syscall: 'connect' });
    for (const error of [new Error('connect ECONNREFUSED 127.0.0.1:4027'), refused, 'boom', null]) {
      expect(toMallError(error, 'hanbit')).toEqual({ code: 'CRAWL_FAILED', message: "hanbit: the search failed unexpectedly; see the mall's log" });
    }
  });

  it("keeps the kit's own coded errors", () => {
    const timeout = Object.assign(new Error('hanbit: the site did not answer within the search deadline'), { code: 'TIMEOUT' });
    expect(toMallError(timeout, 'hanbit')).toEqual({ code: 'TIMEOUT', message: 'hanbit: the site did not answer within the search deadline' });
  });
});
