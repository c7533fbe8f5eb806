import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { HELD_SUBGRAPH_SDL, startHeldSubgraph, type HeldSubgraph } from '../support/heldSubgraph.ts';
import { startInProcessGateway, type InProcessGateway } from '../support/inProcessGateway.ts';
import { signedInAs } from '../support/tokens.ts';
import { waitFor } from '../support/waitFor.ts';

let dir: string;
let subgraph: HeldSubgraph;
let gateway: InProcessGateway;
let graphqlUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-request-sharing-'));
  subgraph = await startHeldSubgraph();
  writeFileSync(join(dir, 'stock.graphql'), HELD_SUBGRAPH_SDL);
  writeFileSync(join(dir, 'supergraph.yaml'), `subgraphs:\n  stock:\n    routing_url: ${subgraph.url}\n    schema:\n      file: stock.graphql\n`);
  // The stock subgraph gets each caller's identity, so what reaches it differs per user.
  gateway = await startInProcessGateway({ SUPERGRAPH_CONFIG: join(dir, 'supergraph.yaml'), GATEHOUSE_IDENTITY_SUBGRAPHS: 'stock', JWT_SECRET: DEV_JWT_SECRET });
  graphqlUrl = gateway.graphqlUrl;
});
afterEach(() => {
  subgraph.mode = 'answer';
  subgraph.release();
  subgraph.requests.length = 0;
});
afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (userId: string) => signedInAs(userId);

describe('identical subgraph requests through the gateway', () => {
  it("are not shared between two users' identical queries in flight", async () => {
    subgraph.mode = 'hold';
    const answers = Promise.all(['u-1', 'u-2'].map(async (user) => postGraphQL(graphqlUrl, '{ stock(sku: "1") { count } whoami }', undefined, await as(user))));
    await waitFor('both users to reach the subgraph', () => subgraph.waiting() === 2);
    subgraph.release();
    const [first, second] = await answers;
    expect(first!.data?.stock).toEqual({ count: 7 });
    expect(first!.data?.whoami).not.toEqual(second!.data?.whoami);
  });

  it('are never shared for a mutation: sent twice at once, it runs twice', async () => {
    subgraph.mode = 'hold';
    const user = await as('u-1');
    const answers = Promise.all([0, 1].map(() => postGraphQL<{ reserve: number }>(graphqlUrl, 'mutation { reserve(sku: "1") }', undefined, user)));
    await waitFor('both mutations to reach the subgraph', () => subgraph.waiting() === 2);
    subgraph.release();
    expect((await answers).map((a) => a.data?.reserve).sort()).toEqual([1, 2]);
  });
});
