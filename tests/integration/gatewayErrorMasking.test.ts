import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../lib/http/listen.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { startInProcessGateway, type InProcessGateway } from '../support/inProcessGateway.ts';
import { waitFor } from '../support/waitFor.ts';

const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { leaky: String coded: String }`;

/** A team's subgraph not built on our kit: it tells whoever asks what its driver said. */
function startLeakySubgraph(): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const error = body.includes('coded')
        ? { message: 'site http://192.168.7.7:8080/search answered 500', path: ['coded'], extensions: { code: 'SITE_UNAVAILABLE' } }
        : { message: 'connect ECONNREFUSED 10.1.2.3:5432', path: ['leaky'] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { [error.path[0]!]: null }, errors: [error] }));
    });
  });
}

describe('errors at the gateway', () => {
  let subgraph: Server;
  let gateway: InProcessGateway;
  let gatewayUrl: string;
  let dir: string;

  beforeAll(async () => {
    subgraph = startLeakySubgraph();
    const subgraphUrl = await listen(subgraph);
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-gwmask-'));
    writeFileSync(join(dir, 'leaky.graphql'), SDL);
    writeFileSync(join(dir, 'supergraph.yaml'), `subgraphs:\n  leaky:\n    routing_url: ${subgraphUrl}/graphql\n    schema:\n      file: leaky.graphql\n`);
    gateway = await startInProcessGateway({ SUPERGRAPH_CONFIG: join(dir, 'supergraph.yaml'), GATEHOUSE_REGISTRY_URL: '' });
    gatewayUrl = gateway.url;
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => subgraph?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("masks a subgraph's unexpected error and keeps the original in the gateway's log", async () => {
    const response = await postGraphQL(`${gatewayUrl}/graphql`, '{ leaky }');
    const [error] = response.errors ?? [];
    expect(JSON.stringify(response)).not.toMatch(/10\.1\.2\.3|5432|ECONNREFUSED/);
    expect(error).toMatchObject({ path: ['leaky'], extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'leaky' } });
    const id = /^internal error in subgraph leaky; see the log of the gateway \(id ([0-9a-f]{8})\)$/.exec(error?.message ?? '')?.[1];
    expect(id, error?.message).toBeDefined();
    const line = await waitFor('the original in the gateway log', () => gateway.log.lines.find((l) => l.includes(`(id ${id})`)));
    expect(line).toMatch(/from subgraph leaky .*connect ECONNREFUSED 10\.1\.2\.3:5432/);
  });

  it('answers a route it does not serve with JSON naming /graphql, not an HTML page', async () => {
    const response = await fetch(`${gatewayUrl}/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      errors: [{ message: 'nothing is served at GET /nothing-here; GraphQL is at /graphql', extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it('passes an error a subgraph raised on purpose, without the addresses in it', async () => {
    const response = await postGraphQL(`${gatewayUrl}/graphql`, '{ coded }');
    expect(response.errors?.[0]).toMatchObject({
      message: 'site (address withheld) answered 500',
      extensions: { code: 'SITE_UNAVAILABLE', serviceName: 'leaky' },
    });
  });
});
