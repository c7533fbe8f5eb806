/**
 * One fixed-duration round of load (autocannon: `connections` clients, each
 * sending its next request as soon as the last is answered), every response
 * body checked against an expected one.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  /** Every response must be exactly this; others count as mismatches. */
  expectBody: string;
}

export interface LoadResult {
  /** Responses per second, all statuses. */
  rps: number;
  responses: number;
  /** Requests sent: the responses plus those still in flight when the round ended. */
  sent: number;
  p50: number;
  p99: number;
  /** Responses whose body differs from the expected one. */
  mismatches: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** The first mismatched body, to show what differed. */
  mismatchSample?: string;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const expected = options.expectBody;
  const expectedAscii = stripNonAscii(expected);
  let mismatchSample: string | undefined;
  // autocannon decodes each network chunk on its own, so a multi-byte
  // character split between chunks arrives as U+FFFD: such a body counts as
  // equal when everything else is.
  const isExpected = (body: string) => body === expected || (body.includes('\uFFFD') && stripNonAscii(body) === expectedAscii);
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    duration: options.seconds,
    verifyBody: (raw) => {
      const body = String(raw ?? '');
      if (isExpected(body)) return true;
      mismatchSample ??= body;
      return false;
    },
  });
  const result = await instance;
  return {
    rps: result.requests.total / result.duration,
    responses: result.requests.total,
    // Not in autocannon's type definitions, but in its result since version 7.
    sent: (result.requests as { sent?: number }).sent ?? result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mismatches: result.mismatches,
    non2xx: result.non2xx,
    errors: result.errors,
    ...(mismatchSample === undefined ? {} : { mismatchSample }),
  };
}

function stripNonAscii(text: string): string {
  return text.replace(/[^\p{ASCII}]/gu, '');
}

/** Where two bodies first differ, with a little context from each, for a report. */
export function firstDifference(expected: string, actual: string): string {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  if (i === expected.length && i === actual.length) return 'identical';
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, i - 40), i + 80));
  return `bodies differ at character ${i} of ${expected.length} (expected) / ${actual.length}: expected …${around(expected)}… got …${around(actual)}…`;
}
