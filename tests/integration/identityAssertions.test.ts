import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { serveSubgraph, type RunningSubgraph } from '../../lib/subgraph/serveSubgraph.ts';
import { DEV_ADMIN_TOKEN } from '../../registry/http/changeRights.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';
import { waitFor } from '../support/waitFor.ts';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])';

/** A team's subgraph that writes down the Authorization header of every request it gets. */
async function recordingSubgraph(name: string, sdl: string, field: string): Promise<RunningSubgraph & { seen: Array<string | undefined>; sdl: string }> {
  const seen: Array<string | undefined> = [];
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: { Query: { [field]: () => `${name} says hi` } } });
  const running = await serveSubgraph<{ authorization?: string }>({
    name,
    schema,
    context: async ({ headers }) => {
      seen.push(headers.authorization);
      return { authorization: headers.authorization };
    },
  });
  return { ...running, seen, sdl };
}

const admin = { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' };

let system: TestSystem;
let harvester: Awaited<ReturnType<typeof recordingSubgraph>>;
let plain: Awaited<ReturnType<typeof recordingSubgraph>>;
let secondGateway: ServiceProcess;
let secondGatewayUrl: string;

beforeAll(async () => {
  // The operator lets one team subgraph have identity; the other gets none, as malls do.
  system = await startTestSystem({ GATEHOUSE_IDENTITY_SUBGRAPHS: 'approval,harvester' });
  harvester = await recordingSubgraph('harvester', `${LINK}\ntype Query { harvested: String }`, 'harvested');
  plain = await recordingSubgraph('plainteam', `${LINK}\ntype Query { rtEvil: String }`, 'rtEvil');
  for (const [name, subgraph] of [
    ['harvester', harvester],
    ['plainteam', plain],
  ] as const) {
    const response = await fetch(`${system.registryUrl}/v1/subgraphs/${name}`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ routingUrl: subgraph.url, sdl: subgraph.sdl }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
  }
  const port = await freePort();
  secondGatewayUrl = `http://127.0.0.1:${port}`;
  // A second gateway with a key of its own (none configured): approval does not trust it.
  secondGateway = await spawnService(
    {
      name: 'gateway-2',
      entry: 'gateway/main.ts',
      env: { MONGODB_URI: system.mongoUri, PORT: String(port), GATEHOUSE_REGISTRY_URL: system.registryUrl, GATEHOUSE_IDENTITY_SUBGRAPHS: 'approval,harvester' },
      readyUrl: `${secondGatewayUrl}/readyz`,
    },
    { logs: { logDir: system.logDir } },
  );
  const user = await signToken({ userId: 'u-harvest', secret: DEV_JWT_SECRET });
  for (const url of [system.graphqlUrl, `${secondGatewayUrl}/graphql`]) {
    await waitFor(
      `${url} to serve the team subgraphs`,
      async () => (await postGraphQL(url, '{ harvested rtEvil }', {}, { authorization: `Bearer ${user}` })).data?.rtEvil === 'plainteam says hi',
      20_000,
    );
  }
}, 180_000);

afterAll(async () => {
  await secondGateway?.stop();
  await harvester?.close();
  await plain?.close();
  await system?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the caller's token stops at the gateway", () => {
  it('a subgraph without identity gets no Authorization at all; one with identity gets an assertion, never the token', async () => {
    const user = await signToken({ userId: 'u-harvest', secret: DEV_JWT_SECRET });
    plain.seen.length = 0;
    harvester.seen.length = 0;
    const result = await postGraphQL<{ harvested: string; rtEvil: string; me: { id: string } }>(
      system.graphqlUrl,
      '{ harvested rtEvil me { id } }',
      {},
      bearer(user),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ harvested: 'harvester says hi', rtEvil: 'plainteam says hi', me: { id: 'u-harvest' } });
    expect(plain.seen).toEqual([undefined]);
    expect(harvester.seen).toHaveLength(1);
    expect(harvester.seen[0]).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(harvester.seen[0]).not.toContain(user);
    const [, payload] = harvester.seen[0]!.slice('Bearer '.length).split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ sub: 'u-harvest', aud: 'harvester', iss: 'gatehouse-gateway' });
  });

  it('a harvested assertion is refused by both gateways and by the approval subgraph', async () => {
    const user = await signToken({ userId: 'u-harvest', secret: DEV_JWT_SECRET });
    harvester.seen.length = 0;
    await postGraphQL(system.graphqlUrl, '{ harvested }', {}, bearer(user));
    const harvested = harvester.seen[0]!.slice('Bearer '.length);

    for (const gateway of [system.graphqlUrl, `${secondGatewayUrl}/graphql`]) {
      const replayed = await postGraphQL(gateway, '{ me { id approvals { total } } }', {}, bearer(harvested));
      expect(replayed.status).toBe(401);
      expect(replayed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const atApproval = await postGraphQL(system.subgraphUrls.approval!, '{ me { id } }', {}, bearer(harvested));
    expect(atApproval.data?.me ?? null).toBeNull();
    expect(atApproval.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/only the gateway's identity assertions for approval are accepted here/),
      extensions: { code: 'UNAUTHENTICATED' },
    });
    // Nor does approval take the user's own token: only the gateway speaks for users.
    const direct = await postGraphQL(system.subgraphUrls.approval!, '{ me { id } }', {}, bearer(user));
    expect(direct.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a gateway whose key approval does not trust cannot speak for a user there, while the trusted one can', async () => {
    const user = await signToken({ userId: 'u-harvest', secret: DEV_JWT_SECRET });
    const trusted = await postGraphQL<{ me: { id: string } }>(system.graphqlUrl, '{ me { id } }', {}, bearer(user));
    expect(trusted.data?.me).toEqual({ id: 'u-harvest' });
    const untrusted = await postGraphQL(`${secondGatewayUrl}/graphql`, '{ me { id } }', {}, bearer(user));
    expect(untrusted.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The second gateway's assertion for harvester is its own; replayed at the first gateway it is refused too.
    harvester.seen.length = 0;
    await postGraphQL(`${secondGatewayUrl}/graphql`, '{ harvested }', {}, bearer(user));
    const fromSecond = harvester.seen[0]!.slice('Bearer '.length);
    expect((await postGraphQL(system.graphqlUrl, '{ me { id } }', {}, bearer(fromSecond))).status).toBe(401);
  });
});

describe("a team token cannot take over another subgraph's field", () => {
  it('refuses the @override of Query.me, naming the field and its owner, and me stays with approval', async () => {
    const issued = await fetch(`${system.registryUrl}/v1/tokens`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ team: 'rt', subgraphs: ['rtevil'] }),
    });
    const { token } = (await issued.json()) as { token: string };
    const attacker = await recordingSubgraph(
      'rtevil',
      `${LINK}\ntype Query { me: User @override(from: "approval") }\ntype User @key(fields: "id") { id: ID! }`,
      'me',
    );
    try {
      const before = ((await (await fetch(`${system.registryUrl}/v1/subgraphs`)).json()) as { revision: number }).revision;
      const response = await fetch(`${system.registryUrl}/v1/subgraphs/rtevil`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ routingUrl: attacker.url, sdl: attacker.sdl }),
      });
      expect(response.status).toBe(403);
      const body = (await response.json()) as { error: string; reason: string; errors: string[] };
      expect(body.reason).toBe('ownership');
      expect(body.errors.join('\n')).toMatch(/field Query\.me belongs to approval; rtevil may not take it over/);
      expect(((await (await fetch(`${system.registryUrl}/v1/subgraphs`)).json()) as { revision: number }).revision).toBe(before);
      const user = await signToken({ userId: 'u-victim', secret: DEV_JWT_SECRET });
      const me = await postGraphQL<{ me: { id: string } }>(system.graphqlUrl, '{ me { id } }', {}, bearer(user));
      expect(me.data?.me).toEqual({ id: 'u-victim' });
      expect(attacker.seen).toEqual(expect.not.arrayContaining([expect.stringContaining(user)]));
    } finally {
      await attacker.close();
    }
  });
});
