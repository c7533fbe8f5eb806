import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { testMongoUri } from '../support/testDatabase.ts';

const INTROSPECTION = '{ __schema { queryType { name } } }';
/** Production runs published operations only, except for clients allowed free-form text. */
const FREEFORM = { 'apollographql-client-name': 'ops-console' };

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, text: await response.text() };
}

/** What a client on the internet sees of a production deployment: no schema, no IDE, no stack. */
describe('a production deployment', () => {
  const services: ServiceProcess[] = [];
  let logDir: string;
  let gateway: string;
  let openGateway: string;
  let catalog: string;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'gatehouse-production-'));
    const keys = await generateAssertionKeys();
    const production = { GATEHOUSE_PROFILE: 'production', GATEHOUSE_INTROSPECTION: '', NODE_ENV: '' };
    const gatewayEnv = {
      ...production,
      JWT_SECRET: 'a-real-secret-for-this-test',
      GATEWAY_SIGNING_KEY: keys.privateKeyPem,
      SUPERGRAPH_PATH: 'schema/supergraph.graphql',
      GATEHOUSE_REGISTRY_URL: '',
      GATEWAY_FREEFORM_CLIENTS: 'ops-console',
    };
    const [gatewayPort, openPort, catalogPort] = [await freePort(), await freePort(), await freePort()];
    gateway = `http://127.0.0.1:${gatewayPort}`;
    openGateway = `http://127.0.0.1:${openPort}`;
    catalog = `http://127.0.0.1:${catalogPort}`;
    const logs = { logs: { logDir } } as const;
    services.push(
      ...(await Promise.all([
        spawnService({ name: 'gateway', entry: 'gateway/main.ts', env: { ...gatewayEnv, PORT: String(gatewayPort) }, readyUrl: `${gateway}/readyz` }, logs),
        spawnService(
          {
            name: 'open-gateway',
            entry: 'gateway/main.ts',
            env: { ...gatewayEnv, PORT: String(openPort), GATEHOUSE_INTROSPECTION: 'true' },
            readyUrl: `${openGateway}/readyz`,
          },
          logs,
        ),
        spawnService(
          {
            name: 'catalog',
            entry: 'subgraphs/catalog/main.ts',
            env: { ...production, PORT: String(catalogPort), MONGODB_URI: testMongoUri(), MONGODB_DB_PREFIX: `test_production_${randomUUID().slice(0, 8)}` },
            readyUrl: `${catalog}/healthz`,
          },
          logs,
        ),
      ])),
    );
  }, 180_000);
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('refuses introspection at the gateway', async () => {
    // A client allowed free-form text, so what refuses it is the introspection rule, not trusted documents.
    const { status, text } = await post(`${gateway}/graphql`, JSON.stringify({ query: INTROSPECTION }), FREEFORM);
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({
      errors: [{ message: expect.stringContaining('introspection is not allowed'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
    expect(text).not.toContain('"queryType"');
  });

  it('answers introspection when GATEHOUSE_INTROSPECTION=true', async () => {
    const { status, text } = await post(`${openGateway}/graphql`, JSON.stringify({ query: INTROSPECTION }), FREEFORM);
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('serves no IDE landing page to a browser', async () => {
    const response = await fetch(`${gateway}/graphql`, { headers: { accept: 'text/html' } });
    const text = await response.text();
    expect(text).not.toMatch(/<html|sandbox|apollographql/i);
  });

  it('refuses introspection at a subgraph, while the gateway still reads its _service SDL', async () => {
    const refused = await post(`${catalog}/graphql`, JSON.stringify({ query: INTROSPECTION }));
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('introspection is not allowed');
    const sdl = await post(`${catalog}/graphql`, JSON.stringify({ query: '{ _service { sdl } }' }));
    expect(sdl.status).toBe(200);
    expect(sdl.text).toContain('type Product');
  });

  it('answers a body that is not JSON with a JSON error and no stack trace, at a subgraph and at the gateway', async () => {
    for (const url of [`${catalog}/graphql`, `${gateway}/graphql`]) {
      const { status, text } = await post(url, '{"query": "{ products', { 'apollo-require-preflight': 'true' });
      expect(status, url).toBe(400);
      expect(text, url).not.toMatch(/\bat \S+ \(|node_modules|SyntaxError|<pre>/);
      expect(JSON.parse(text), url).toMatchObject({ errors: [{ message: 'request body is not valid JSON' }] });
    }
  });
});
