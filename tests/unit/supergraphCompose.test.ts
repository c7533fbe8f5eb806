import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatehouse } from '../support/gatehouseCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-compose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gatehouse supergraph compose', () => {
  it('writes the supergraph of supergraph.yaml, with the generated mall directory', async () => {
    const output = join(dir, 'supergraph.graphql');
    const run = await gatehouse(['supergraph', 'compose', '--config', 'supergraph.yaml', '--output', output]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`wrote ${output}: 3 malls (hanbit, daehan, sejong)`);
    const sdl = readFileSync(output, 'utf8');
    expect(sdl).toContain('DIRECTORY @join__graph(name: "directory"');
    expect(sdl).toContain('type HanbitMall implements Mall');
  });

  it('says which subgraphs conflict, and which file or field is wrong, in one clear message and a non-zero exit', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(join(dir, 'a.graphql'), 'type Query { a: String }\ntype Thing { id: ID! }');
    writeFileSync(join(dir, 'b.graphql'), 'type Query { b: String }\ntype Thing { id: Int! }');
    writeFileSync(
      config,
      'subgraphs:\n  a:\n    routing_url: http://a/graphql\n    schema: { file: a.graphql }\n  b:\n    routing_url: http://b/graphql\n    schema: { file: b.graphql }\n',
    );
    const conflict = await gatehouse(['supergraph', 'compose', '--config', config]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^gatehouse: the subgraphs do not compose:\n\s+- .*Thing/);
    const missing = await gatehouse(['supergraph', 'compose', '--config', join(dir, 'nowhere.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^gatehouse: cannot read supergraph config .*nowhere\.yaml/);
    writeFileSync(config, 'subgraphs:\n  a:\n    routing_url: ftp://a\n    schema: { file: a.graphql }\n');
    const badUrl = await gatehouse(['supergraph', 'compose', '--config', config]);
    expect(badUrl.stderr.trim()).toBe(`gatehouse: ${config}: subgraph "a" needs an http(s) routing_url (or SUBGRAPH_URL_A)`);
    const usage = await gatehouse(['supergraph', 'draw']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('gatehouse: unknown supergraph command "draw" (see gatehouse --help)');
    const flag = await gatehouse(['subgraph', 'list', '--colour']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^gatehouse: Unknown option '--colour'/);
  });
});
