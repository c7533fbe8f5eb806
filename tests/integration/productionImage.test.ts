import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { testMongoUri } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

/** The production stage of the Dockerfile as the image runs it: its ENV lines and its CMD. */
function productionStage(): { env: Record<string, string>; cmd: string[] } {
  const lines = readFileSync('Dockerfile', 'utf8').split('\n');
  const start = lines.findIndex((line) => /^FROM \S+ AS production$/i.test(line));
  if (start < 0) throw new Error('the Dockerfile has no production stage');
  const end = lines.findIndex((line, i) => i > start && /^FROM /i.test(line));
  const stage = lines.slice(start + 1, end < 0 ? undefined : end);
  const env: Record<string, string> = {};
  for (const line of stage.filter((l) => l.startsWith('ENV '))) {
    for (const [, name, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
  }
  const cmd = stage.find((l) => l.startsWith('CMD '));
  if (!cmd) throw new Error('the production stage has no CMD');
  return { env, cmd: JSON.parse(cmd.slice(4)) as string[] };
}

/**
 * No container engine can build the image here (no registry to pull the base
 * image from), so this builds what the image holds, lays it out as the image
 * does (/app: dist/, node_modules/, package.json) and runs the CMD with the
 * ENV the Dockerfile sets: the gateway, and the registry as the image's other
 * entry, in the production profile.
 */
describe('the production image, without a container engine', () => {
  const { env: imageEnv, cmd } = productionStage();
  let app: string;
  let build: { status: number | null; output: string };
  const services: ChildProcess[] = [];
  const logs = new Map<ChildProcess, string>();

  function run(entry: string[], env: Record<string, string>): ChildProcess {
    const [command, ...args] = entry;
    // The image's `node` is this machine's node; everything else is the image's environment.
    const child = spawn(command === 'node' ? process.execPath : command!, args, {
      cwd: app,
      env: { PATH: process.env.PATH, ...imageEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logs.set(child, '');
    const record = (chunk: Buffer) => logs.set(child, logs.get(child)! + chunk.toString());
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    services.push(child);
    return child;
  }
  async function ready(child: ChildProcess, url: string): Promise<void> {
    await waitFor(
      `${url} to be ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`the service exited ${child.exitCode}: ${logs.get(child)}`);
        return (await fetch(url).catch(() => null))?.ok;
      },
      60_000,
    );
  }

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'gatehouse-image-'));
    const out = spawnSync('npm', ['run', 'build', '--', '--out', join(app, 'dist')], { encoding: 'utf8', timeout: 240_000 });
    build = { status: out.status, output: `${out.stdout}${out.stderr}` };
    mkdirSync(app, { recursive: true });
    symlinkSync(resolve('node_modules'), join(app, 'node_modules'), 'dir');
    copyFileSync('package.json', join(app, 'package.json'));
  }, 300_000);
  afterAll(async () => {
    for (const child of services.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('sets the production profile and runs compiled JavaScript', () => {
    expect(imageEnv).toMatchObject({ GATEHOUSE_PROFILE: 'production', NODE_ENV: 'production', HOST: '0.0.0.0' });
    expect(cmd).toEqual(['node', 'dist/gateway/main.js']);
  });

  it('starts the registry and a gateway following it from dist/ as the image would, production refusals and all', async () => {
    expect(build.status, build.output).toBe(0);
    const admin = `image-admin-${randomUUID()}`;
    const [registryPort, gatewayPort] = [await freePort(), await freePort()];
    const registryUrl = `http://127.0.0.1:${registryPort}`;
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;

    // The image's other entry, `node dist/registry/main.js`: it seeds from the SUPERGRAPH_CONFIG the Dockerfile sets.
    const registry = run(['node', 'dist/registry/main.js'], {
      PORT: String(registryPort),
      MONGODB_URI: testMongoUri(),
      MONGODB_DB_PREFIX: `test_image_${randomUUID().slice(0, 8)}`,
      GATEHOUSE_ADMIN_TOKEN: admin,
    });
    await ready(registry, `${registryUrl}/healthz`);

    // Unsafe settings stop the gateway at start, as in production.
    const refused = run(cmd, { PORT: String(gatewayPort), GATEHOUSE_REGISTRY_URL: registryUrl });
    await waitFor('the gateway without JWT_SECRET to exit', () => refused.exitCode !== null);
    expect(refused.exitCode).toBe(1);
    expect(logs.get(refused)).toMatch(/JWT_SECRET/);

    const keys = await generateAssertionKeys();
    const gateway = run(cmd, {
      PORT: String(gatewayPort),
      JWT_SECRET: 'a-real-secret-for-the-image-test',
      GATEWAY_SIGNING_KEY: keys.privateKeyPem,
      GATEHOUSE_REGISTRY_URL: registryUrl,
      GATEWAY_FREEFORM_CLIENTS: 'ops-console',
    });
    await ready(gateway, `${gatewayUrl}/readyz`);
    const ask = async (headers: Record<string, string>) => {
      const response = await fetch(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };
    };
    expect(await ask({ 'apollographql-client-name': 'ops-console' })).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    const app = await ask({ 'apollographql-client-name': 'mobile-ios' });
    expect(app.status).toBe(400);
    expect(app.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    // No IDE or landing page in production.
    const landing = await fetch(`${gatewayUrl}/`, { headers: { accept: 'text/html' } });
    expect(landing.status).toBe(404);
    expect(await landing.text()).not.toMatch(/graphiql|sandbox|apollographql/i);
  }, 180_000);
});

describe('docker-compose.yml', () => {
  const compose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  it.skipIf(compose.error !== undefined)('is a valid compose file (docker-compose config -q)', () => {
    const checked = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { encoding: 'utf8' });
    expect(checked.status, checked.stderr).toBe(0);
  });
});
