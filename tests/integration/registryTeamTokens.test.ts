import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createTeamTokens } from '../../registry/http/teamTokens.ts';
import { startRegistry, type RunningRegistry } from '../../registry/startRegistry.ts';
import { createTokenRecords } from '../../registry/store/tokenRecords.ts';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';
import { gatehouse } from '../support/gatehouseCli.ts';
import { startSdlServer, type SdlServer } from '../support/sdlServer.ts';
import { createTestDatabase } from '../support/testDatabase.ts';
import { silentLogger as quiet } from '../support/logs.ts';

const ADMIN = 'test-admin-token-for-team-tokens';
/** Serves each mall's SDL, so publishes pass the registry's probe. */
let sdls: SdlServer;
const mall = (id: string) => {
  const sdl = mallSdl({ id, name: id.toUpperCase(), homepage: `http://${id}.example/` });
  return { name: id, url: sdls.serve(id, sdl), sdl };
};

let mongo: MongoConnection;
let registry: RunningRegistry;
let dir: string;

beforeAll(async () => {
  mongo = await createTestDatabase('registry_teams');
  sdls = await startSdlServer();
  registry = await startRegistry({ db: mongo.db, log: quiet, adminToken: ADMIN, seed: () => [mall('hanbit')], port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-teams-'));
  writeFileSync(join(dir, 'outlet.graphql'), mall('outlet').sdl);
});
afterAll(async () => {
  await registry?.close();
  await sdls?.close();
  await mongo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const as = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const put = (name: string, token: string) =>
  fetch(`${registry.url}/v1/subgraphs/${name}`, {
    method: 'PUT',
    headers: as(token),
    body: JSON.stringify({ routingUrl: mall(name).url, sdl: mall(name).sdl }),
  });
const issue = (body: unknown, token = ADMIN) =>
  fetch(`${registry.url}/v1/tokens`, { method: 'POST', headers: as(token), body: typeof body === 'string' ? body : JSON.stringify(body) });
const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;
const tokensOf = (adminToken: string) => createTeamTokens(adminToken, createTokenRecords(mongo.db));
const revision = async () => ((await (await fetch(`${registry.url}/v1/subgraphs`)).json()) as { revision: number }).revision;

describe('team tokens', () => {
  it("let a team publish, check and delete its own subgraph through the CLI, and nobody else's", async () => {
    const env = { GATEHOUSE_REGISTRY_URL: registry.url, GATEHOUSE_ADMIN_TOKEN: ADMIN };
    const issued = await gatehouse(['token', 'issue', '--team', 'outlet-team', '--subgraph', 'outlet', '--expires-in-days', '30'], env);
    expect(issued.stderr).toBe('');
    expect(issued.code).toBe(0);
    const [token, summary] = issued.stdout.trim().split('\n');
    expect(summary).toMatch(
      /^team outlet-team may change outlet \(its own mall only\) until \d{4}-\d\d-\d\dT.*\(id tt_[0-9a-f]{16}, for gatehouse token revoke\)$/,
    );

    const team = { GATEHOUSE_REGISTRY_URL: registry.url, GATEHOUSE_TOKEN: token!, GATEHOUSE_USER: 'kim' };
    const check = await gatehouse(
      ['subgraph', 'check', '--name', 'outlet', '--routing-url', mall('outlet').url, '--schema', join(dir, 'outlet.graphql')],
      team,
    );
    expect(check.stdout).toMatch(/outlet: the change composes/);
    const published = await gatehouse(
      ['subgraph', 'publish', '--name', 'outlet', '--routing-url', mall('outlet').url, '--schema', join(dir, 'outlet.graphql')],
      team,
    );
    expect(published.code).toBe(0);
    const shown = await gatehouse(['subgraph', 'show', '--name', 'outlet'], team);
    expect(shown.stdout).toMatch(/published by team outlet-team \(kim\)/);

    const before = await revision();
    const other = await gatehouse(['subgraph', 'delete', '--name', 'hanbit'], team);
    expect(other.code).toBe(1);
    expect(other.stderr.trim()).toBe('gatehouse: team "outlet-team" may change outlet only, not "hanbit"; ask an admin to widen its token');
    expect((await put('hanbit', token!)).status).toBe(403);
    // A team token cannot mint more.
    const mint = await issue({ team: 'outlet-team', subgraphs: ['hanbit'] }, token);
    expect(mint.status).toBe(403);
    expect(await errorOf(mint)).toMatch(/only the admin token may do this/);
    expect(await revision()).toBe(before);

    const deleted = await gatehouse(['subgraph', 'delete', '--name', 'outlet'], team);
    expect(deleted.stdout).toMatch(/outlet deleted: revision/);
  });

  it('refuse an expired token, one from another admin token, and a tampered one, changing nothing', async () => {
    const before = await revision();
    const expired = (await tokensOf(ADMIN).issue({ team: 'late', subgraphs: ['late'], expiresInDays: -1, issuedBy: 'test' })).token;
    const response = await put('late', expired);
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatch(/team token has expired; ask an admin for a new one/);

    const foreign = (await tokensOf('another-admin-token').issue({ team: 'late', subgraphs: ['late'], expiresInDays: 1, issuedBy: 'test' })).token;
    const revoked = await put('late', foreign);
    expect(revoked.status).toBe(403);
    expect(await errorOf(revoked)).toMatch(/neither the admin token nor a team token of this registry/);

    // The payload widened to another subgraph: the signature no longer matches.
    const genuine = (await tokensOf(ADMIN).issue({ team: 'late', subgraphs: ['late'], expiresInDays: 1, issuedBy: 'test' })).token;
    const [header, payload, signature] = genuine.split('.');
    const widened = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { subgraphs: string[] };
    widened.subgraphs.push('hanbit');
    const tampered = [header, Buffer.from(JSON.stringify(widened)).toString('base64url'), signature].join('.');
    expect((await put('hanbit', tampered)).status).toBe(403);
    expect(await revision()).toBe(before);
  });

  it('are listed and revoked one at a time: every registry replica refuses the revoked one, the others keep working', async () => {
    const admin = { GATEHOUSE_REGISTRY_URL: registry.url, GATEHOUSE_ADMIN_TOKEN: ADMIN, GATEHOUSE_USER: 'lee' };
    const issueFor = async (team: string, subgraph: string) => {
      const [token, summary] = (await gatehouse(['token', 'issue', '--team', team, '--subgraph', subgraph], admin)).stdout.trim().split('\n');
      return { token: token!, id: /\(id (tt_[0-9a-f]{16})/.exec(summary!)![1]! };
    };
    const leaving = await issueFor('leaving-team', 'leaving');
    const staying = await issueFor('staying-team', 'staying');
    const replica = await startRegistry({ db: mongo.db, log: quiet, adminToken: ADMIN, port: 0 });
    try {
      const listed = await gatehouse(['token', 'list'], admin);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`^${leaving.id}  team leaving-team  leaving  until \\S+  issued by lee$`, 'm'));
      expect(listed.stdout).toMatch(new RegExp(`^${staying.id}  team staying-team  staying `, 'm'));
      // The list never shows a token itself.
      expect(listed.stdout).not.toContain(leaving.token);

      const revoked = await gatehouse(['token', 'revoke', leaving.id], admin);
      expect(revoked.stdout.trim()).toMatch(new RegExp(`^${leaving.id} of team leaving-team revoked at \\d{4}-.*; it changes nothing any more$`));
      const before = await revision();
      const refused = await fetch(`${replica.url}/v1/subgraphs/leaving`, {
        method: 'PUT',
        headers: as(leaving.token),
        body: JSON.stringify({ routingUrl: mall('leaving').url, sdl: mall('leaving').sdl }),
      });
      expect(refused.status).toBe(401);
      expect(await errorOf(refused)).toMatch(new RegExp(`the team token ${leaving.id} was revoked at .*; ask an admin for a new one`));
      expect(await revision()).toBe(before);
      const kept = await fetch(`${replica.url}/v1/subgraphs/staying`, {
        method: 'PUT',
        headers: as(staying.token),
        body: JSON.stringify({ routingUrl: mall('staying').url, sdl: mall('staying').sdl }),
      });
      expect(kept.status).toBe(200);
      expect((await gatehouse(['token', 'list'], admin)).stdout).not.toContain(leaving.id);

      // Revoking twice keeps the first time; unknown and malformed ids are refused, saying why.
      const firstTime = /revoked at (\S+);/.exec(revoked.stdout)![1];
      expect((await gatehouse(['token', 'revoke', leaving.id], admin)).stdout).toContain(`revoked at ${firstTime};`);
      const unknown = await gatehouse(['token', 'revoke', 'tt_0000000000000000'], admin);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr.trim()).toBe(
        'gatehouse: no team token tt_0000000000000000 was issued by this registry (or it expired and was forgotten); see gatehouse token list',
      );
      const malformed = await fetch(`${registry.url}/v1/tokens/${encodeURIComponent("'; drop table tokens --")}`, { method: 'DELETE', headers: as(ADMIN) });
      expect(malformed.status).toBe(400);
      expect(await errorOf(malformed)).toMatch(/is not a team token id; ids look like tt_/);
      const usage = await gatehouse(['token', 'revoke'], admin);
      expect(usage.code).toBe(2);

      // Only the admin sees or revokes tokens.
      expect((await fetch(`${registry.url}/v1/tokens`, { headers: as(staying.token) })).status).toBe(403);
      expect((await fetch(`${registry.url}/v1/tokens/${staying.id}`, { method: 'DELETE', headers: as(staying.token) })).status).toBe(403);
      expect((await fetch(`${registry.url}/v1/tokens`)).status).toBe(401);

      // A well-signed token the records do not know (its record lost) is refused too.
      await mongo.db.collection('teamTokens').deleteOne({ _id: staying.id } as object);
      const forgotten = await put('staying', staying.token);
      expect(forgotten.status).toBe(403);
      expect(await errorOf(forgotten)).toMatch(/is not on this registry's records/);
    } finally {
      await replica.close();
    }
  });

  it('are issued only for valid teams, subgraph lists and lifetimes, each refusal saying why', async () => {
    const refusals: Array<[unknown, RegExp]> = [
      [{ team: 'Outlet Team', subgraphs: ['outlet'] }, /team "Outlet Team" is invalid/],
      [{ team: 'outlet', subgraphs: [] }, /subgraphs must list the 1 to 50 subgraph names/],
      [{ team: 'outlet', subgraphs: 'outlet' }, /subgraphs must list/],
      [{ team: 'outlet', subgraphs: Array.from({ length: 51 }, (_, i) => `s${i}`) }, /subgraphs must list the 1 to 50/],
      [{ team: 'outlet', subgraphs: ['directory'] }, /reserved for the generated mall directory/],
      [{ team: 'outlet', subgraphs: [{ $ne: null }] }, /is invalid/],
      [{ team: 'outlet', subgraphs: ['outlet'], expiresInDays: 0 }, /expiresInDays must be a whole number of days from 1 to 365/],
      [{ team: 'outlet', subgraphs: ['outlet'], expiresInDays: 366 }, /from 1 to 365/],
      [{ team: 'outlet', subgraphs: ['outlet'], expiresInDays: 1.5 }, /whole number/],
      [{ team: 'outlet', subgraphs: ['outlet'], expiresInDays: '90' }, /whole number/],
    ];
    for (const [body, error] of refusals) {
      const response = await issue(body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await errorOf(response)).toMatch(error);
    }
    const malformed = await issue('{"team": ');
    expect(malformed.status).toBe(400);
    expect(await errorOf(malformed)).toBe('request body is not valid JSON');
    const huge = await issue({ team: 'outlet', subgraphs: ['outlet'], note: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    const anonymous = await fetch(`${registry.url}/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    const usage = await gatehouse(['token', 'issue', '--team', 'outlet'], { GATEHOUSE_REGISTRY_URL: registry.url, GATEHOUSE_ADMIN_TOKEN: ADMIN });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/name at least one --subgraph the team may change/);
  });
});
