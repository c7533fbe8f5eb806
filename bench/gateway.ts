/**
 * `npm run bench gateway`: Gatehouse's gateway against vanilla Apollo Gateway
 * (and a baseline commit's gateway) in one run, on the federation benchmark's
 * workload and on warm mall searches. Knobs are the BENCH_* variables below.
 */
import { cpus, loadavg } from 'node:os';
import { envInt, envOptional, envString } from '../lib/env.ts';
import { benchGatewayEdge } from './gatewayEdge.ts';
import { benchGatewayFederation } from './gatewayFederation.ts';
import { benchGatewayMallSearch } from './gatewayMallSearch.ts';
import { benchGatewayTracing } from './gatewayTracing.ts';
import { checkoutBaseline } from './support/checkoutBaseline.ts';

/** The last commit before the query engine work of issue 10: "today's code" in its goals. */
const DEFAULT_BASELINE_REF = 'c50a193b95fb69879bdb09e25ddb5f0a58872d88';

const PARTS = envString('BENCH_GATEWAY_PARTS', 'federation,malls').split(',');
const BASELINE_REF = envString('BENCH_BASELINE_REF', DEFAULT_BASELINE_REF);

const FEDERATION = {
  connections: envInt('BENCH_CONNECTIONS', 50),
  warmupSeconds: envInt('BENCH_WARMUP_SECONDS', 5),
  rounds: envInt('BENCH_ROUNDS', 3),
  roundSeconds: envInt('BENCH_ROUND_SECONDS', 10),
};

const MALLS = {
  mallCounts: envString('BENCH_GATEWAY_MALL_COUNTS', '3,10,30').split(',').map(Number),
  connections: envInt('BENCH_MALL_CONNECTIONS', 16),
  warmupSeconds: envInt('BENCH_MALL_WARMUP_SECONDS', 2),
  rounds: envInt('BENCH_MALL_ROUNDS', 2),
  roundSeconds: envInt('BENCH_MALL_ROUND_SECONDS', 5),
  siteDelayMs: envInt('BENCH_SITE_DELAY_MS', 100),
  fleetProcesses: envInt('BENCH_FLEET_PROCESSES', 1),
  baselineSystem: envString('BENCH_BASELINE_SYSTEM', '1') !== '0',
};

export async function benchGateway(mongoUri: string): Promise<void> {
  const log = (line: string) => console.log(`  ${line}`);
  const machine = () =>
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores`;
  console.log(`  started ${new Date().toISOString()}, ${machine()}`);
  const baseline = BASELINE_REF === 'none' ? null : checkoutBaseline(BASELINE_REF);
  if (baseline) log(`baseline: commit ${baseline.commit.slice(0, 12)} exported to ${baseline.root}`);
  try {
    if (PARTS.includes('federation')) {
      await benchGatewayFederation({ ...FEDERATION, baselineRoot: baseline?.root ?? null, log });
    }
    if (PARTS.includes('edge')) {
      // Only when asked (BENCH_GATEWAY_PARTS=edge): the edge's own cost, on the federation workload.
      await benchGatewayEdge({ ...FEDERATION, redisUrl: envString('BENCH_REDIS_URL', 'redis://127.0.0.1:6379'), mongoUri, log });
    }
    if (PARTS.includes('tracing')) {
      // Only when asked (BENCH_GATEWAY_PARTS=tracing): tracing off against on, on the federation workload.
      await benchGatewayTracing({ ...FEDERATION, otlpEndpoint: envOptional('BENCH_OTLP_ENDPOINT'), log });
    }
    if (PARTS.includes('malls')) {
      await benchGatewayMallSearch({ ...MALLS, mongoUri, baselineRoot: baseline?.root ?? null, log });
    }
  } finally {
    baseline?.close();
    console.log(`\n  finished ${new Date().toISOString()}, ${machine()}`);
  }
}
