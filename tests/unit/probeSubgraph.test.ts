import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/http/freePort.ts';
import { listen } from '../../lib/http/listen.ts';
import { serveSubgraph, type RunningSubgraph } from '../../lib/subgraph/serveSubgraph.ts';
import { probeSubgraph } from '../../registry/evaluate/probeSubgraph.ts';
import { subgraphSdlDifferences } from '../../registry/evaluate/subgraphSdlDifferences.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A real federated subgraph (Apollo Server + buildSubgraphSchema), as teams run them. */
async function subgraph(sdl: string): Promise<RunningSubgraph> {
  const running = await serveSubgraph({ name: 'probed', schema: buildSubgraphSchema({ typeDefs: parse(sdl) }), context: async () => ({}) });
  closers.push(running.close);
  return running;
}

async function server(handler: RequestListener): Promise<string> {
  const http = createServer(handler);
  const url = await listen(http);
  closers.push(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return `${url}/graphql`;
}

const mall = mallSdl({ id: 'outlet', name: '아울렛', homepage: 'http://127.0.0.1:4100/hanbit/' });

describe('the publish probe', () => {
  it('accepts a subgraph serving the published schema, though printed in its own order and format', async () => {
    const running = await subgraph(mall);
    const reordered = mall
      .split('\n\n')
      .reverse()
      .join('\n\n')
      .replace(/"[^"\n]*"\n/g, '');
    expect(await probeSubgraph(running.url, reordered)).toBeNull();
  });

  it('refuses a subgraph serving a different schema, naming what differs', async () => {
    const running = await subgraph('type Query { notice: String }');
    const refused = await probeSubgraph(running.url, 'type Query { notice: String motd: String }\ntype Banner { text: String }');
    expect(refused?.reason).toBe('schema-mismatch');
    expect(refused?.error).toBe(
      `refused: the subgraph at ${running.url} serves a different schema than the one published (type Query differs; type Banner is published but not served); deploy this schema there first, or publish what it serves (--introspect ${running.url})`,
    );
  });

  it('leaves a published SDL that does not parse to composition, whose error says more', async () => {
    const running = await subgraph('type Query { a: String }');
    expect(await probeSubgraph(running.url, 'type Query {')).toBeNull();
  });

  it('refuses a URL nothing listens on', async () => {
    const url = `http://127.0.0.1:${await freePort()}/graphql`;
    const refused = await probeSubgraph(url, 'type Query { ghost: String }');
    expect(refused?.reason).toBe('unreachable');
    expect(refused?.error).toBe(
      `refused: the subgraph at ${url} did not answer { _service { sdl } } (ECONNREFUSED); start it there (serving this schema) or fix the routing URL, then publish again`,
    );
  });

  it('refuses a server that is not a federated subgraph', async () => {
    const html = await server((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>'));
    expect((await probeSubgraph(html, 'type Query { a: String }'))?.error).toMatch(
      /did not answer \{ _service \{ sdl \} \} with an SDL, so it is not a federated subgraph/,
    );
    const plain = await serveSubgraph({
      name: 'plain',
      schema: buildSubgraphSchema({ typeDefs: parse('type Query { a: String }') }),
      context: async () => ({}),
    });
    closers.push(plain.close);
    const missing = await server((_req, res) => res.writeHead(404).end());
    expect((await probeSubgraph(missing, 'type Query { a: String }'))?.error).toMatch(
      /answered HTTP 404 to \{ _service \{ sdl \} \}, not as a federated subgraph/,
    );
  });

  it('follows no redirect, even to a matching subgraph', async () => {
    const running = await subgraph('type Query { a: String }');
    const redirect = await server((_req, res) => res.writeHead(307, { location: running.url }).end());
    expect((await probeSubgraph(redirect, 'type Query { a: String }'))?.error).toMatch(/answered HTTP 307/);
  });

  it('gives up on a subgraph that does not answer in time or answers too much', async () => {
    const silent = await server(() => undefined);
    const started = Date.now();
    expect((await probeSubgraph(silent, 'type Query { a: String }', { timeoutMs: 300 }))?.error).toMatch(
      /did not answer \{ _service \{ sdl \} \} \(no answer within 300 ms\)/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    const flood = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"data":{"_service":{"sdl":"${'#'.repeat(200_000)}"}}}`);
    });
    expect((await probeSubgraph(flood, 'type Query { a: String }', { maxBytes: 100_000 }))?.error).toMatch(/its answer is over 100000 bytes/);
  });
});

describe('comparing a served SDL with the published one', () => {
  it.each(['subgraphs/catalog/schema.graphql', 'subgraphs/approval/schema.graphql', 'subgraphs/malls/hanbit/schema.graphql'])(
    'finds %s the same as what its service serves',
    async (file) => {
      const sdl = readFileSync(file, 'utf8');
      const response = await fetch((await subgraph(sdl)).url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      const served = ((await response.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
      expect(served).not.toBe(sdl);
      expect(subgraphSdlDifferences(sdl, served)).toEqual([]);
    },
  );

  it('tells apart what changes the schema: a directive, an argument default, a list order', () => {
    expect(subgraphSdlDifferences('type T @key(fields: "id") { id: ID }', 'type T @key(fields: "id") @shareable { id: ID }')).toEqual(['type T differs']);
    expect(subgraphSdlDifferences('type Query { a(n: Int = 1): Int }', 'type Query { a(n: Int = 2): Int }')).toEqual(['type Query differs']);
    expect(subgraphSdlDifferences('type Query { a(n: [Int] = [1, 2]): Int }', 'type Query { a(n: [Int] = [2, 1]): Int }')).toEqual(['type Query differs']);
    expect(subgraphSdlDifferences('type Query { a: Int }', 'extend type Query { a: Int }')).toEqual([
      'type Query is published but not served',
      'extend type Query is served but not published',
    ]);
    expect(subgraphSdlDifferences('enum E { A B } union U = X | Y', 'union U = Y | X\nenum E { B A }')).toEqual([]);
  });
});
