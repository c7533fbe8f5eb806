import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { gatehouse } from '../support/gatehouseCli.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { TICKER_SDL, startOwners, startTicker, writeTickerOwnersConfig, type TestSubgraph } from '../support/subscriptionSubgraphs.ts';
import { waitFor } from '../support/waitFor.ts';

let dir: string;
let ticker: TestSubgraph;
let owners: TestSubgraph;
const gateways: ServiceProcess[] = [];

/** What `rover supergraph compose` writes: the ticker subgraph alone, no mall directory. */
function roverStyleSupergraph(): string {
  const result = composeServices([{ name: 'ticker', url: ticker.url, typeDefs: parse(TICKER_SDL) }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.supergraphSdl;
}

/** What `gatehouse supergraph compose` writes: ticker and owners, plus the mall directory. */
function gatehouseSupergraph(): string {
  const result = composeSupergraph(readSupergraphConfig(writeTickerOwnersConfig(dir, ticker, owners)));
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.supergraphSdl;
}

/** Replaces the file the way editors and `mv` do: a new file renamed over the old. */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function startCliGateway(supergraph: string): Promise<{ url: string; log: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const name = `cli-gateway-${port}`;
  gateways.push(
    await spawnService(
      {
        name,
        entry: 'bin/gatehouse.js',
        args: ['gateway', '--supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1'],
        env: {},
        readyUrl: `${url}/readyz`,
      },
      { logs: { logDir: dir } },
    ),
  );
  return { url, log: join(dir, `${name}.log`) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-supergraph-file-'));
  [ticker, owners] = await Promise.all([startTicker(), startOwners()]);
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await Promise.all([ticker?.close(), owners?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('the gateway serving a supergraph file', () => {
  it('answers queries from the file given to `gatehouse gateway --supergraph`, and serves the file again when it changes', async () => {
    const file = join(dir, 'cli-supergraph.graphql');
    writeFileSync(file, roverStyleSupergraph());
    const { url, log } = await startCliGateway(file);

    expect(await postGraphQL(`${url}/graphql`, '{ tickerHealth }')).toMatchObject({ status: 200, data: { tickerHealth: true } });
    const before = await postGraphQL(`${url}/graphql`, '{ tickerHealth ownersHealth }');
    expect(before.errors?.[0]?.message).toContain('ownersHealth');

    // A newly composed file adds the owners subgraph: served without a restart.
    replaceFile(file, gatehouseSupergraph());
    const after = await waitFor('the changed supergraph file to be served', async () => {
      const response = await postGraphQL(`${url}/graphql`, '{ tickerHealth ownersHealth }');
      return response.errors ? null : response;
    });
    expect(after.data).toEqual({ tickerHealth: true, ownersHealth: true });

    // A change that does not parse is reported and the last good supergraph kept.
    replaceFile(file, 'type Query {');
    await waitFor('the broken file to be reported', () => readFileSync(log, 'utf8').includes(`cannot serve the changed supergraph file ${file} (Syntax Error`));
    expect((await postGraphQL(`${url}/graphql`, '{ tickerHealth ownersHealth }')).data).toEqual({ tickerHealth: true, ownersHealth: true });
  });

  it('serves SUPERGRAPH_PATH when gateway/main.ts starts', async () => {
    const file = join(dir, 'env-supergraph.graphql');
    writeFileSync(file, gatehouseSupergraph());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    gateways.push(
      await spawnService(
        // The registry variable names the registry for the CLI's other commands; the file still wins.
        {
          name: 'env-gateway',
          entry: 'gateway/main.ts',
          env: { PORT: String(port), SUPERGRAPH_PATH: file, GATEHOUSE_REGISTRY_URL: '' },
          readyUrl: `${url}/readyz`,
        },
        { logs: { logDir: dir } },
      ),
    );
    expect(await postGraphQL(`${url}/graphql`, '{ tickerHealth ownersHealth }')).toMatchObject({
      status: 200,
      data: { tickerHealth: true, ownersHealth: true },
    });
  });

  it('refuses a missing file and a file that is not a supergraph, each with one line saying what to pass', async () => {
    const missing = join(dir, 'nowhere.graphql');
    const notSupergraph = join(dir, 'subgraph.graphql');
    writeFileSync(notSupergraph, TICKER_SDL);
    const [absent, invalid] = await Promise.all([gatehouse(['gateway', '--supergraph', missing]), gatehouse(['gateway', '--supergraph', notSupergraph])]);

    expect(absent.code).toBe(1);
    expect(absent.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`gatehouse: cannot read the supergraph file ${missing} (ENOENT); pass a composed supergraph SDL`),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr.trim().split('\n')).toEqual([expect.stringContaining(`gatehouse: ${notSupergraph} is not a valid supergraph (`)]);
    expect(invalid.stderr).toContain('gatehouse supergraph compose --output FILE');
  });
});
