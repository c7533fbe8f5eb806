import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { waitFor } from '../support/waitFor.ts';

/** `npm run build` makes JavaScript that runs under plain node, as the production image does. */
describe('npm run build', () => {
  let out: string;
  let gateway: ChildProcess | undefined;
  let build: { status: number | null; output: string };

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'gatehouse-build-'));
    const run = spawnSync('npm', ['run', 'build', '--', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    build = { status: run.status, output: `${run.stdout}${run.stderr}` };
    // As in the image, where dist/ sits beside package.json (type: module) and node_modules.
    symlinkSync(resolve('node_modules'), join(out, 'node_modules'), 'dir');
    writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  }, 300_000);
  afterAll(async () => {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((done) => gateway!.once('exit', done));
      gateway.kill('SIGTERM');
      await exited;
    }
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('compiles and starts a production gateway with plain node, no tsx, serving the built supergraph', async () => {
    expect(build.status, build.output).toBe(0);
    const keys = await generateAssertionKeys();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // Plain node: no tsx loader, so only compiled JavaScript can run.
    gateway = spawn(process.execPath, [join(out, 'gateway/main.js')], {
      cwd: out,
      env: {
        ...process.env,
        GATEHOUSE_PROFILE: 'production',
        JWT_SECRET: 'a-real-secret-for-this-test',
        GATEWAY_SIGNING_KEY: keys.privateKeyPem,
        PORT: String(port),
        HOST: '127.0.0.1',
        SUPERGRAPH_PATH: join(out, 'schema/supergraph.graphql'),
        GATEHOUSE_REGISTRY_URL: '',
        GATEWAY_FREEFORM_CLIENTS: 'smoke-test',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    gateway.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitFor(
      'the built gateway to be ready',
      async () => {
        if (gateway?.exitCode !== null) throw new Error(`the built gateway exited: ${log}`);
        return (await fetch(`${url}/readyz`).catch(() => null))?.ok;
      },
      60_000,
    );
    // Production runs published operations only; this client is let through with free-form text.
    const answer = await postGraphQL<{ __typename: string }>(`${url}/graphql`, '{ __typename }', undefined, { 'apollographql-client-name': 'smoke-test' });
    expect(answer).toEqual({ status: 200, data: { __typename: 'Query' } });
  }, 120_000);
});
