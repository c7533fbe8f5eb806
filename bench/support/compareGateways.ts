/**
 * Gateways measured side by side in one run: the same request to each, its
 * body checked against the reference gateway's byte for byte, a warm-up, then
 * rounds of fixed-duration load alternating between them (the order reversed
 * every other round, so drift in a noisy machine falls on all alike). Besides
 * requests/s and latency it reads what each response cost: CPU time of the
 * gateway process and of the subgraph processes behind it (less sensitive to
 * a busy machine than throughput), subgraph calls and resident memory.
 */
import { processUsage } from './processUsage.ts';
import { firstDifference, runLoad, type LoadResult } from './runLoad.ts';
import type { Contender } from './startContender.ts';

export interface Entrant {
  contender: Contender;
  /** Processes serving its subgraphs, whose CPU time is counted per response. */
  backendPids: number[];
  /** Requests its subgraphs have received so far, when they count them. */
  subgraphCalls?: () => Promise<number>;
  /** The body this entrant is sent, when not the comparison's (the same operation by persisted id, say). */
  body?: string;
}

export interface ComparisonOptions {
  entrants: Entrant[];
  /** Name of the entrant every other is checked and divided against. */
  reference: string;
  /** The JSON request body every client sends. */
  body: string;
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  log: (line: string) => void;
}

export interface EntrantSummary {
  name: string;
  /** Median over rounds. */
  rps: number;
  p50: number;
  p99: number;
  /** Median over rounds of this entrant's requests/s divided by the reference's in the same round. */
  ratio: number;
  roundsRps: number[];
  gatewayCpuMsPerResponse: number;
  backendCpuMsPerResponse: number;
  subgraphCallsPerResponse: number | null;
  /** Largest resident memory read after a round, and the process's peak. */
  rssMiB: number;
  peakRssMiB: number;
  mismatches: number;
  non2xx: number;
  errors: number;
  /** Set when its answer before the load was not the reference's. */
  difference: string | null;
}

interface RoundFigures {
  load: LoadResult;
  gatewayCpu: number;
  backendCpu: number;
  calls: number | null;
  rssMiB: number;
  peakRssMiB: number;
}

export async function compareGateways(options: ComparisonOptions): Promise<EntrantSummary[]> {
  const { entrants, log } = options;
  const bodies = new Map<string, string>();
  for (const { contender, body } of entrants) bodies.set(contender.name, await post(contender.url, body ?? options.body));
  const expected = bodies.get(options.reference);
  if (expected === undefined) throw new Error(`no entrant is named ${options.reference}; name the reference gateway among the entrants`);
  if (expected.includes('"errors"')) log(`warning: the reference ${options.reference} answered with errors: ${expected.slice(0, 300)}`);
  const differences = new Map<string, string>();
  for (const [name, body] of bodies) {
    if (body === expected) continue;
    differences.set(name, firstDifference(expected, body));
    log(`warning: ${name}'s answer is not ${options.reference}'s: ${differences.get(name)}`);
  }
  log(`answers: ${[...bodies].map(([name, body]) => `${name} ${body.length} bytes${body === expected ? '' : ' (DIFFERENT)'}`).join(', ')}`);

  for (const { contender, subgraphCalls, body } of entrants) {
    await runLoad({ url: contender.url, body: body ?? options.body, connections: options.connections, seconds: options.warmupSeconds, expectBody: expected });
    if (subgraphCalls) await settledCalls(subgraphCalls);
  }
  const rounds = new Map<string, RoundFigures[]>(entrants.map((e) => [e.contender.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? entrants : [...entrants].reverse();
    for (const entrant of order) {
      const figures = await measureRound(entrant, options, expected);
      rounds.get(entrant.contender.name)!.push(figures);
      const { load } = figures;
      const problems = [
        load.mismatches && `${load.mismatches} answers not the reference's`,
        load.non2xx && `${load.non2xx} not 2xx`,
        load.errors && `${load.errors} errors or timeouts`,
      ].filter(Boolean);
      log(
        `round ${round + 1} ${entrant.contender.name}: ${load.rps.toFixed(1)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms${problems.map((p) => `, ${p}`).join('')}`,
      );
      if (load.mismatchSample) log(`  a mismatched answer: ${describeMismatch(expected, load.mismatchSample)}`);
    }
  }
  const referenceRounds = rounds.get(options.reference)!;
  return entrants.map(({ contender }) => summarise(contender.name, rounds.get(contender.name)!, referenceRounds, differences.get(contender.name) ?? null));
}

async function measureRound(entrant: Entrant, options: ComparisonOptions, expected: string): Promise<RoundFigures> {
  const cpu = () => ({
    gateway: processUsage(entrant.contender.pid).cpuSeconds,
    backend: entrant.backendPids.reduce((sum, pid) => sum + processUsage(pid).cpuSeconds, 0),
  });
  const callsBefore = entrant.subgraphCalls ? await entrant.subgraphCalls() : null;
  const before = cpu();
  const load = await runLoad({
    url: entrant.contender.url,
    body: entrant.body ?? options.body,
    connections: options.connections,
    seconds: options.roundSeconds,
    expectBody: expected,
  });
  // Requests still in flight when the round ended go on making subgraph calls:
  // wait until they are done, so their calls and CPU are counted (per request
  // sent) and the next round starts on a quiet machine.
  const callsAfter = entrant.subgraphCalls ? await settledCalls(entrant.subgraphCalls) : null;
  const after = cpu();
  const memory = processUsage(entrant.contender.pid);
  return {
    load,
    gatewayCpu: after.gateway - before.gateway,
    backendCpu: after.backend - before.backend,
    calls: callsBefore === null || callsAfter === null ? null : callsAfter - callsBefore,
    rssMiB: memory.rssMiB,
    peakRssMiB: memory.peakRssMiB,
  };
}

/** The call count once it has stopped changing for half a second (at most 15 s). */
async function settledCalls(count: () => Promise<number>): Promise<number> {
  const until = Date.now() + 15_000;
  let last = await count();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await count();
    if (now === last || Date.now() > until) return now;
    last = now;
  }
}

function summarise(name: string, rounds: RoundFigures[], reference: RoundFigures[], difference: string | null): EntrantSummary {
  // Every request sent is served to the end, also those the client stopped waiting for.
  const served = sum(rounds.map((r) => r.load.sent));
  const perResponse = (total: number) => (served > 0 ? total / served : NaN);
  const calls = rounds.every((r) => r.calls !== null) ? sum(rounds.map((r) => r.calls!)) : null;
  return {
    name,
    rps: median(rounds.map((r) => r.load.rps)),
    p50: median(rounds.map((r) => r.load.p50)),
    p99: median(rounds.map((r) => r.load.p99)),
    ratio: median(rounds.map((r, i) => r.load.rps / reference[i]!.load.rps)),
    roundsRps: rounds.map((r) => r.load.rps),
    gatewayCpuMsPerResponse: perResponse(sum(rounds.map((r) => r.gatewayCpu)) * 1000),
    backendCpuMsPerResponse: perResponse(sum(rounds.map((r) => r.backendCpu)) * 1000),
    subgraphCallsPerResponse: calls === null ? null : perResponse(calls),
    rssMiB: Math.max(...rounds.map((r) => r.rssMiB)),
    peakRssMiB: Math.max(...rounds.map((r) => r.peakRssMiB)),
    mismatches: sum(rounds.map((r) => r.load.mismatches)),
    non2xx: sum(rounds.map((r) => r.load.non2xx)),
    errors: sum(rounds.map((r) => r.load.errors)),
    difference,
  };
}

/** Where an answer differs; for an error answer, its first message in full. */
function describeMismatch(expected: string, actual: string): string {
  try {
    const { errors } = JSON.parse(actual) as { errors?: Array<{ message?: string }> };
    if (errors?.[0]?.message) return `${errors.length} error(s), the first: ${errors[0].message.slice(0, 400)}`;
  } catch {
    // not JSON: show where it differs
  }
  return firstDifference(expected, actual);
}

/** Median over rounds of a's requests/s divided by b's in the same round. */
export function pairedRatio(a: Pick<EntrantSummary, 'roundsRps'>, b: Pick<EntrantSummary, 'roundsRps'>): number {
  return median(a.roundsRps.map((rps, i) => rps / b.roundsRps[i]!));
}

/** The middle value; for an even count, the mean of the middle two (two rounds give their mean). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function post(url: string, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(60_000) });
  return response.text();
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** One table row per entrant, for the report; ratios are to `reference`. */
export function summaryRow(summary: EntrantSummary, reference: EntrantSummary): Record<string, string | number> {
  const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
  return {
    gateway: summary.name,
    'req/s': fixed(summary.rps, 1),
    [`ratio to ${reference.name}`]: fixed(summary.ratio, 2),
    'rounds req/s': summary.roundsRps.map((rps) => rps.toFixed(0)).join(' '),
    'p50 ms': fixed(summary.p50, 0),
    'p99 ms': fixed(summary.p99, 0),
    'gateway CPU ms/resp': fixed(summary.gatewayCpuMsPerResponse, 2),
    // Capacity by CPU cost, less sensitive to a busy machine than req/s.
    [`CPU ratio to ${reference.name}`]: fixed(reference.gatewayCpuMsPerResponse / summary.gatewayCpuMsPerResponse, 2),
    'subgraphs CPU ms/resp': fixed(summary.backendCpuMsPerResponse, 2),
    'subgraph calls/resp': summary.subgraphCallsPerResponse === null ? '–' : fixed(summary.subgraphCallsPerResponse, 2),
    'RSS MiB': fixed(summary.rssMiB, 0),
    'peak RSS MiB': fixed(summary.peakRssMiB, 0),
    'answers ≠ reference': `${summary.difference ? 'first answer differs; ' : ''}${summary.mismatches + summary.errors}`,
  };
}
