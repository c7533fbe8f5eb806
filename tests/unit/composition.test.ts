import { readFileSync } from 'node:fs';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type SubscriptionNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { DEMO_MALLS } from '../../subgraphs/malls/demoMalls.ts';
import { demoMallSdl } from '../../scripts/writeMallSchemas.ts';

const SEARCH = `{ malls { id name search(keyword: "airpods", first: 10) {
  offers { title price url model product { id name } } cached error { code message } } } }`;

function plan(supergraphSdl: string, query: string): PlanNode | SubscriptionNode | undefined {
  const supergraph = Supergraph.build(supergraphSdl);
  return new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(supergraph.schema, parse(query))).node;
}

function composeConfig() {
  const result = composeSupergraph(readSupergraphConfig('supergraph.yaml', {}));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result;
}

describe('composition of supergraph.yaml', () => {
  it('finds the three demo malls and lists them in the generated directory', () => {
    const result = composeConfig();
    expect(result.malls.map((m) => m.id).sort()).toEqual(['daehan', 'hanbit', 'sejong']);
    expect(result.malls.find((m) => m.id === 'hanbit')).toMatchObject({ typeName: 'HanbitMall', homepage: 'http://localhost:4100/hanbit/' });
    expect(result.supergraphSdl).toContain('malls: [Mall!]! @join__field(graph: DIRECTORY)');
  });

  it('plans the search as directory, then every mall in parallel, then the catalog', () => {
    const root = plan(composeConfig().supergraphSdl, SEARCH);
    expect(root?.kind).toBe('Sequence');
    const [directory, malls, catalog] = root?.kind === 'Sequence' ? root.nodes : [];
    expect(directory).toMatchObject({ kind: 'Fetch', serviceName: 'directory' });
    expect(malls?.kind).toBe('Parallel');
    const mallServices =
      malls?.kind === 'Parallel' ? malls.nodes.map((n) => (n.kind === 'Flatten' && n.node.kind === 'Fetch' ? n.node.serviceName : n.kind)) : [];
    expect(mallServices.sort()).toEqual(['daehan', 'hanbit', 'sejong']);
    expect(catalog).toMatchObject({ kind: 'Flatten', node: { kind: 'Fetch', serviceName: 'catalog' } });
  });

  it('asks no mall when only the directory fields are selected', () => {
    expect(plan(composeConfig().supergraphSdl, '{ malls { id name homepage } }')).toMatchObject({ kind: 'Fetch', serviceName: 'directory' });
  });

  it('gives the directory a new routing URL whenever what it lists changes, so a gateway never reuses a stale one', () => {
    const subgraphs = readSupergraphConfig('supergraph.yaml', {});
    const directoryUrl = (sdl: string) => Supergraph.build(sdl).subgraphs().get('directory')!.url;
    const before = directoryUrl(composeConfig().supergraphSdl);
    const renamed = subgraphs.map((s) => (s.name === 'hanbit' ? { ...s, sdl: s.sdl.replace('name: "한빛몰"', 'name: "한빛몰 아울렛"') } : s));
    expect(renamed).not.toEqual(subgraphs);
    const after = composeSupergraph(renamed);
    expect(after.ok && directoryUrl(after.supergraphSdl)).not.toBe(before);
    const without = composeSupergraph(subgraphs.filter((s) => s.name !== 'sejong'));
    expect(without.ok && directoryUrl(without.supergraphSdl)).not.toBe(before);
    expect(directoryUrl(composeConfig().supergraphSdl)).toBe(before);
  });

  it('keeps the committed supergraph in step with supergraph.yaml', () => {
    expect(readFileSync('schema/supergraph.graphql', 'utf8'), 'run npm run compose to regenerate it').toBe(composeConfig().supergraphSdl);
  });

  it('keeps the committed mall schema files in step with the mall kit', () => {
    for (const mall of DEMO_MALLS) {
      const committed = readFileSync(`subgraphs/malls/${mall.id}/schema.graphql`, 'utf8');
      expect(committed, `run npm run mall-schemas to regenerate ${mall.id}`).toBe(demoMallSdl(mall.id, mall.createSite));
    }
  });
});

describe('composition refuses what cannot be served', () => {
  const catalog = { name: 'catalog', url: 'http://catalog/graphql', sdl: readFileSync('subgraphs/catalog/schema.graphql', 'utf8') };
  const mall = (id: string) => ({ name: id, url: `http://${id}/graphql`, sdl: mallSdl({ id, name: id, homepage: `http://x/${id}/` }) });

  it('names the subgraph whose SDL does not parse', () => {
    const result = composeSupergraph([catalog, { name: 'broken', url: 'http://b/graphql', sdl: 'type Query {' }]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatch(/subgraph "broken": invalid SDL/);
  });

  it('reports a type conflict between subgraphs', () => {
    const conflicting = { name: 'rogue', url: 'http://r/graphql', sdl: 'type Product { id: ID! name: Int } type Query { rogue: Product }' };
    const result = composeSupergraph([catalog, conflicting]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toMatch(/Product/);
  });

  it('refuses a Mall type without @mall, two subgraphs claiming one mall, and the reserved directory name', () => {
    const noDirective = {
      name: 'x',
      url: 'http://x/graphql',
      sdl: mallSdl({ id: 'xmall', name: 'x', homepage: 'http://x/' }).replace(/@mall\(name: "[^)]*\)/, ''),
    };
    expect(composeSupergraph([noDirective])).toMatchObject({ ok: false, errors: [expect.stringMatching(/no @mall/)] });
    expect(composeSupergraph([mall('alpha'), { ...mall('alpha'), name: 'alpha2' }])).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/more than one subgraph/)],
    });
    expect(composeSupergraph([{ ...mall('beta'), name: 'directory' }])).toMatchObject({ ok: false, errors: [expect.stringMatching(/reserved/)] });
  });

  it('composes thirty malls into one parallel fan-out', () => {
    const result = composeSupergraph([catalog, ...Array.from({ length: 30 }, (_, i) => mall(`m${i}`))]);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const root = plan(result.supergraphSdl, SEARCH);
    const parallel = root?.kind === 'Sequence' ? root.nodes[1] : undefined;
    expect(parallel?.kind === 'Parallel' && parallel.nodes.length).toBe(30);
  });
});

describe('supergraph.yaml reading', () => {
  it('lets SUBGRAPH_URL_<NAME> override a routing URL and rejects a non-http one', () => {
    const subgraphs = readSupergraphConfig('supergraph.yaml', { SUBGRAPH_URL_CATALOG: 'http://10.0.0.9:9/graphql' });
    expect(subgraphs.find((s) => s.name === 'catalog')?.url).toBe('http://10.0.0.9:9/graphql');
    expect(() => readSupergraphConfig('supergraph.yaml', { SUBGRAPH_URL_HANBIT: 'ftp://x' })).toThrow(/hanbit.*http\(s\) routing_url/);
    expect(() => readSupergraphConfig('no-such-file.yaml', {})).toThrow(/cannot read supergraph config/);
  });
});
