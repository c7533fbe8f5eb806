import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { BudgetExceededError, createBudgetedWorker, type BudgetedWorker } from '../../lib/worker/createBudgetedWorker.ts';
import { isNeverRoutable } from '../http/routingAllowlist.ts';
import type { SdlComparison } from './sdlDifferencesJob.ts';

export interface ProbeOptions {
  /** How long the subgraph has to answer, connection included; default 3 s. */
  timeoutMs?: number;
  /** Largest answer read; default twice the published SDL and 256 KB (JSON escaping, built-in definitions). */
  maxBytes?: number;
}

export interface ProbeRefusal {
  reason: 'unreachable' | 'schema-mismatch';
  error: string;
  /** What differs, one line each, for `schema-mismatch`. */
  details: string[];
}

export const PROBE_TIMEOUT_MS = 3000;
const SERVICE_QUERY = '{ _service { sdl } }';
/** Two SDLs within the publish limits compare in well under a second. */
const COMPARE_BUDGET = { timeoutMs: 10_000, maxHeapMb: 256 };

/** Started on the first probe; piscina lets its idle thread go unreferenced, so it never holds a process open. */
let comparer: BudgetedWorker<[string, string], SdlComparison> | undefined;
const compare = (published: string, served: string) =>
  (comparer ??= createBudgetedWorker(
    new URL('./sdlDifferencesJob.ts', import.meta.url),
    COMPARE_BUDGET,
    'comparing the served SDL with the published one',
  )).run(published, served);

/**
 * Asks the routing URL for its `_service { sdl }` the way a gateway would
 * reach it, and compares that with the SDL being published. Null when it
 * serves the same schema; otherwise why the publish is refused. No
 * redirects are followed and a host name that resolves to a never-routable
 * address (link-local, metadata) is not connected to. The SDLs are compared
 * on a worker thread; a published SDL that does not parse is left to
 * composition, whose error says more.
 */
export async function probeSubgraph(url: string, sdl: string, options: ProbeOptions = {}): Promise<ProbeRefusal | null> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const unreachable = (why: string): ProbeRefusal => ({
    reason: 'unreachable',
    error: `refused: the subgraph at ${url} ${why}; start it there (serving this schema) or fix the routing URL, then publish again`,
    details: [],
  });
  const agent = new Agent({ connect: { lookup: routableLookup, timeout: timeoutMs }, connections: 1 });
  try {
    const answer = await readAnswer(agent, url, timeoutMs, options.maxBytes ?? 2 * Buffer.byteLength(sdl) + 256 * 1024);
    if (answer.kind === 'failed') return unreachable(`did not answer { _service { sdl } } (${answer.why})`);
    if (answer.status !== 200) return unreachable(`answered HTTP ${answer.status} to { _service { sdl } }, not as a federated subgraph`);
    const served = servedSdl(answer.body);
    if (served === null) return unreachable('did not answer { _service { sdl } } with an SDL, so it is not a federated subgraph');
    let comparison: SdlComparison;
    try {
      comparison = await compare(sdl, served);
    } catch (error) {
      if (error instanceof BudgetExceededError) return unreachable(`serves an SDL too large to compare (${error.message})`);
      throw error;
    }
    if (comparison.kind === 'published-unparsable') return null;
    if (comparison.kind === 'served-unparsable') return unreachable('serves an SDL that does not parse');
    const details = comparison.differences;
    if (details.length === 0) return null;
    return {
      reason: 'schema-mismatch',
      error: `refused: the subgraph at ${url} serves a different schema than the one published (${details.slice(0, 3).join('; ')}${details.length > 3 ? '; …' : ''}); deploy this schema there first, or publish what it serves (--introspect ${url})`,
      details,
    };
  } finally {
    await agent.close().catch(() => undefined);
  }
}

type Answer = { kind: 'answered'; status: number; body: string } | { kind: 'failed'; why: string };

async function readAnswer(agent: Agent, url: string, timeoutMs: number, maxBytes: number): Promise<Answer> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      signal,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: SERVICE_QUERY }),
    });
    if (response.statusCode !== 200) {
      await response.body.dump().catch(() => undefined);
      return { kind: 'answered', status: response.statusCode, body: '' };
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        response.body.destroy();
        return { kind: 'failed', why: `its answer is over ${maxBytes} bytes` };
      }
      chunks.push(chunk);
    }
    return { kind: 'answered', status: 200, body: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    return { kind: 'failed', why: signal.aborted ? `no answer within ${timeoutMs} ms` : failureCode(error) };
  }
}

function servedSdl(body: string): string | null {
  try {
    const sdl = (JSON.parse(body) as { data?: { _service?: { sdl?: unknown } } } | null)?.data?._service?.sdl;
    return typeof sdl === 'string' ? sdl : null;
  } catch {
    return null;
  }
}

function failureCode(error: unknown): string {
  const err = error as { code?: string; cause?: { code?: string }; message?: string };
  return err.cause?.code ?? err.code ?? err.message ?? String(error);
}

/** `dns.lookup`, refusing names that resolve to an address no subgraph may have. */
const routableLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((a) => isNeverRoutable(a.address));
    if (refused) {
      const denied = Object.assign(new Error(`${hostname} resolves to ${refused.address}, which is never routable`), { code: 'EADDRNOTALLOWED' });
      return callback(denied, '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};
