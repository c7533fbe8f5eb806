import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '../../bench/support/measure.ts';
import { largestSdl } from '../support/largestSdl.ts';
import { measurePublishUnderLoad } from '../support/publishUnderLoad.ts';
import { startSdlSubgraph, type SdlSubgraph } from '../support/sdlSubgraph.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';

const sdl = largestSdl();
let system: TestSystem;
let subgraph: SdlSubgraph;

beforeAll(async () => {
  system = await startTestSystem();
  subgraph = await startSdlSubgraph(sdl);
});
afterAll(async () => {
  await subgraph?.close();
  await system?.close();
});

describe('publishing the largest subgraph the registry accepts', () => {
  it('goes live while searches keep their latency and the registry keeps answering', { timeout: 240_000 }, async () => {
    const result = await measurePublishUnderLoad({
      gatewayUrl: system.gatewayUrl,
      registryUrl: system.registryUrl,
      subgraph,
      sdl,
      clients: 2,
      idleMs: 5000,
      cycles: 2,
    });
    expect(result.toServed).toHaveLength(2);
    expect(result.idle.failures + result.publishing.failures).toBe(0);
    const idle = percentile(result.idle.latencies, 99);
    const publishing = percentile(result.publishing.latencies, 99);
    // `npm run bench publish` measures the 2× goal; this shared 2-core machine gets a looser bound.
    expect(publishing).toBeLessThan(Math.max(3 * idle, idle + 250));
    // Storing and probing a 512 KiB SDL still take the registry's thread briefly; composing it did for seconds.
    expect(result.slowestHealthz).toBeLessThan(1000);
  });
});
