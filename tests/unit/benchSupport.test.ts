import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planMallFleets } from '../../bench/support/planMallFleets.ts';
import { writeBenchSupergraph } from '../../bench/support/writeBenchSupergraph.ts';

describe('mall fleets of the benchmark system', () => {
  it('spreads the malls evenly over the processes, each mall in exactly one', () => {
    expect(planMallFleets(30, 4)).toEqual([
      { offset: 0, count: 8 },
      { offset: 8, count: 8 },
      { offset: 16, count: 8 },
      { offset: 24, count: 6 },
    ]);
  });

  it('starts no more processes than malls, and no empty one', () => {
    expect(planMallFleets(2, 4)).toEqual([
      { offset: 0, count: 1 },
      { offset: 1, count: 1 },
    ]);
    const fleets = planMallFleets(5, 4);
    expect(fleets.every((fleet) => fleet.count > 0)).toBe(true);
    expect(fleets.reduce((sum, fleet) => sum + fleet.count, 0)).toBe(5);
  });
});

describe('the benchmark supergraph config', () => {
  let workDir = '';
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('routes catalog and every mall to its port, each mall with its schema file', () => {
    workDir = mkdtempSync(join(tmpdir(), 'bench-supergraph-'));
    const config = writeBenchSupergraph({ workDir, catalogPort: 4001, mallCount: 2, mallBase: 20_000, demoSitesUrl: 'http://127.0.0.1:4100' });
    const { subgraphs } = parse(readFileSync(config, 'utf8')) as { subgraphs: Record<string, { routing_url: string; schema: { file: string } }> };
    expect(Object.keys(subgraphs)).toEqual(['catalog', 'm1', 'm2']);
    expect(subgraphs.catalog!.routing_url).toBe('http://127.0.0.1:4001/graphql');
    expect(subgraphs.m2!.routing_url).toBe('http://127.0.0.1:20001/graphql');
    expect(readFileSync(subgraphs.m2!.schema.file, 'utf8')).toContain('Mall 2');
  });
});
