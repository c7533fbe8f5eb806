import { LocalGraphQLDataSource, type SupergraphManager } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import type { ClosableDataSource } from '../../gateway/supergraph/dataSourcePool.ts';
import { createVersionedGateway } from '../../gateway/supergraph/createVersionedGateway.ts';
import { silentLogger } from '../support/logs.ts';

const GRACE_MS = 50;

/** Two subgraphs, `core` and `banner`; the banner resolver waits until released, to hold a request in flight. */
function setup() {
  let release: () => void = () => undefined;
  const bannerGate = new Promise<void>((resolve) => (release = resolve));
  let entered: () => void = () => undefined;
  const bannerEntered = new Promise<void>((resolve) => (entered = resolve));
  const closed: string[] = [];
  const schemas: Record<string, string> = {
    core: 'type Query { core: String }',
    banner: 'type Query { banner: String }',
  };
  const resolvers: Record<string, Record<string, () => unknown>> = {
    core: { core: () => 'core' },
    banner: {
      banner: async () => {
        entered();
        await bannerGate;
        return 'banner from the old version';
      },
    },
  };
  const buildDataSource = ({ name }: { name: string }): ClosableDataSource => {
    const local = new LocalGraphQLDataSource(buildSubgraphSchema({ typeDefs: parse(schemas[name]!), resolvers: { Query: resolvers[name]! } }));
    return { process: (options) => local.process(options), close: async () => void closed.push(name) };
  };
  const compose = (names: string[]) => {
    const result = composeSupergraph(names.map((name) => ({ name, url: `http://${name}.invalid/graphql`, sdl: schemas[name]! })));
    if (!result.ok) throw new Error(result.errors.join('; '));
    return result.supergraphSdl;
  };
  let update: (sdl: string) => void = () => undefined;
  const source: SupergraphManager = {
    async initialize(options) {
      update = options.update;
      return { supergraphSdl: compose(['core', 'banner']) };
    },
  };
  const gateway = createVersionedGateway({
    source,
    buildDataSource: (e) => (e.name === 'directory' ? { process: async () => ({ data: {} }) } : buildDataSource(e)),
    log: silentLogger,
    releaseGraceMs: GRACE_MS,
    buildBudget: null,
  });
  const schemasSeen: GraphQLSchema[] = [];
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => schemasSeen.push(apiSchema));
  return { gateway, closed, release: () => release(), bannerEntered, switchTo: (names: string[]) => update(compose(names)), schemasSeen };
}

function request(schema: GraphQLSchema, query: string): GatewayGraphQLRequestContext {
  const document = parse(query);
  return {
    request: { query },
    document,
    schema,
    queryHash: query,
    operationName: null,
    context: {},
    metrics: {},
    logger: console,
  } as unknown as GatewayGraphQLRequestContext;
}

// The release grace runs on fake timers: the test moves the clock, so it neither waits it out nor races it.
const useFakeTimeouts = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
afterEach(() => void vi.useRealTimers());

describe('the versioned gateway', () => {
  it('runs a request on the version it was validated against, even after a switch, and closes a removed data source only after it', async () => {
    const { gateway, closed, release, bannerEntered, switchTo, schemasSeen } = setup();
    const { executor } = (await gateway.load({ apollo: {} })) as { executor: GatewayExecutor };
    const v1 = schemasSeen[0]!;
    const inFlight = executor(request(v1, '{ banner core }'));
    await bannerEntered;
    useFakeTimeouts();
    switchTo(['core']);
    expect(schemasSeen).toHaveLength(2);
    expect(gateway.status().current?.subgraphs).toEqual(['core', 'directory']);
    expect(closed).toEqual([]); // banner is still answering the request above
    // A request validated against the old schema after the switch still runs on it.
    const late = executor(request(v1, '{ banner }'));
    release();
    expect(await inFlight).toEqual({ data: { banner: 'banner from the old version', core: 'core' } });
    expect(await late).toEqual({ data: { banner: 'banner from the old version' } });
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(closed).toEqual([]); // still within the grace period
    await vi.advanceTimersByTimeAsync(1);
    expect(closed).toEqual(['banner']);
    expect(gateway.openDataSources()).toBe(2);
    // New requests get the new version: banner is gone from it.
    const fresh = await executor(request(schemasSeen[1]!, '{ core }'));
    expect(fresh).toEqual({ data: { core: 'core' } });
    await gateway.stop();
  });

  it("keeps an unchanged subgraph's data source across a switch, and serves a request validated just before it", async () => {
    const { gateway, closed, switchTo, schemasSeen, release } = setup();
    release();
    const { executor } = (await gateway.load({ apollo: {} })) as { executor: GatewayExecutor };
    const before = gateway.current()!.dataSources.core;
    useFakeTimeouts();
    switchTo(['core']);
    expect(gateway.current()!.dataSources.core).toBe(before);
    // Nothing was in flight on the old version, yet a request Apollo Server validated against it still runs.
    expect(await executor(request(schemasSeen[0]!, '{ banner }'))).toEqual({ data: { banner: 'banner from the old version' } });
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(closed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(closed).toEqual(['banner']);
    await gateway.stop();
    expect(closed.sort()).toEqual(['banner', 'core']);
  });
});
