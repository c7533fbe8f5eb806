import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/createGateway.ts';
import { startCostSubgraph, startEdgeGateway, type CostSubgraph } from '../support/edgeGateway.ts';

const APP_ORIGIN = 'https://shop.example';

let subgraph: CostSubgraph;
let gateway: RunningGateway & { graphqlUrl: string };

beforeAll(async () => {
  subgraph = await startCostSubgraph();
  gateway = await startEdgeGateway(subgraph.url, { corsOrigins: [APP_ORIGIN] });
});
afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
});

/** The raw answer, undecoded: fetch would decompress it and hide the encoding. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, gateway.url), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const LARGE = JSON.stringify({ query: '{ items(first: 100) { id name } }' });
const json = { 'content-type': 'application/json' };

describe('response compression', () => {
  it.each([
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
  ])('answers Accept-Encoding "%s" with %s', async (accept, encoding) => {
    const response = await raw('POST', '/graphql', { ...json, 'accept-encoding': accept }, LARGE);
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe(encoding);
    expect(response.headers.vary).toMatch(/accept-encoding/i);
  });

  it('sends a client that asks for no encoding the plain JSON', async () => {
    const response = await raw('POST', '/graphql', json, LARGE);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(response.bytes.toString()).data.items).toHaveLength(100);
  });
});

describe('CORS from an allowlist', () => {
  it('lets a listed origin read answers and preflight', async () => {
    const answer = await raw('POST', '/graphql', { ...json, origin: APP_ORIGIN }, '{"query":"{ tree { name } }"}');
    expect(answer.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(answer.headers['access-control-expose-headers']).toMatch(/Retry-After/);
    const preflight = await raw('OPTIONS', '/graphql', {
      origin: APP_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization, apollographql-client-name',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/apollographql-client-name/);
  });

  it('gives an origin not on the list no CORS headers, so its browser withholds the answer', async () => {
    const answer = await raw('POST', '/graphql', { ...json, origin: 'https://evil.example' }, '{"query":"{ tree { name } }"}');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw('OPTIONS', '/graphql', { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CSRF prevention', () => {
  it('refuses a GET a page could send without a preflight, and serves it with a preflight header', async () => {
    const before = subgraph.calls();
    const simple = await raw('GET', '/graphql?query=%7B%20tree%20%7B%20name%20%7D%20%7D', { origin: APP_ORIGIN });
    expect(simple.status).toBe(400);
    expect(simple.bytes.toString()).toMatch(/Cross-Site Request Forgery/);
    expect(subgraph.calls()).toBe(before);
    const preflighted = await raw('GET', '/graphql?query=%7B%20tree%20%7B%20name%20%7D%20%7D', { origin: APP_ORIGIN, 'apollo-require-preflight': 'true' });
    expect(preflighted.status).toBe(200);
  });

  it("refuses a form's POST", async () => {
    const form = await raw('POST', '/graphql', { 'content-type': 'text/plain', origin: APP_ORIGIN }, '{"query":"{ tree { name } }"}');
    expect(form.status).toBe(400);
    expect(form.bytes.toString()).toMatch(/Cross-Site Request Forgery/);
  });
});
