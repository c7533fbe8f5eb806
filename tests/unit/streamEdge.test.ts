import { describe, expect, it } from 'vitest';
import { createRateLimits } from '../../gateway/limits/createRateLimits.ts';
import { createOperationResolver } from '../../gateway/persisted/resolveOperation.ts';
import { createStreamEdge } from '../../gateway/subscriptions/createStreamEdge.ts';
import { createOperationPreparer } from '../../gateway/subscriptions/prepareStreamOperation.ts';
import { DEFAULT_OPERATION_LIMITS } from '../../gateway/limits/operationLimits.ts';
import { createCostCheck } from '../../gateway/limits/useDemandControl.ts';
import { buildSchema } from 'graphql';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function edge(options: { perClient?: number; maxConnectionsPerUser?: number; freeform?: string[] } = {}) {
  return createStreamEdge({
    rateLimits: createRateLimits({ windowSeconds: 60, perClient: options.perClient ?? 100, perUser: 0 }, quiet),
    resolve: createOperationResolver({ manifests: null, apq: null, freeformClients: options.freeform ?? ['*'] }),
    maxConnectionsPerUser: options.maxConnectionsPerUser ?? 2,
  });
}

describe('the streaming transports’ edge', () => {
  it('frees a user’s connection once, however often it is released, and never counts anonymous callers', async () => {
    const streams = edge();
    const dana = { client: 'app', user: 'dana' };
    const first = await streams.open(dana, { countRequest: false });
    const second = await streams.open(dana, { countRequest: false });
    expect([first.ok, second.ok]).toEqual([true, true]);
    const third = await streams.open(dana, { countRequest: false });
    expect(third.ok ? null : third.error.extensions).toEqual({ code: 'TOO_MANY_CONNECTIONS', limit: 2 });
    if (first.ok) {
      first.release();
      first.release();
    }
    expect((await streams.open(dana, { countRequest: false })).ok).toBe(true);
    expect((await streams.open(dana, { countRequest: false })).ok).toBe(false);
    for (let i = 0; i < 5; i += 1) expect((await streams.open({ client: 'app', user: null }, { countRequest: false })).ok).toBe(true);
  });

  it('counts only what it is told to count against the client’s budget', async () => {
    const streams = edge({ perClient: 2 });
    const caller = { client: 'counted', user: null };
    expect((await streams.open(caller, { countRequest: false })).ok).toBe(true);
    expect((await streams.admit(caller, { query: '{ a }' }, { countRequest: true })).ok).toBe(true);
    expect((await streams.admit(caller, { query: '{ a }' }, { countRequest: false })).ok).toBe(true);
    expect((await streams.admit(caller, { query: '{ a }' }, { countRequest: true })).ok).toBe(true);
    const refused = await streams.admit(caller, { query: '{ a }' }, { countRequest: true });
    expect(refused.ok ? null : refused.error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) as number });
  });

  it('refuses free-form text from a client not allowed it, and a subscribe that names no operation', async () => {
    const streams = edge({ freeform: ['tools'] });
    const refused = await streams.admit({ client: 'app', user: null }, { query: 'subscription { a }' }, { countRequest: false });
    expect(refused.ok ? null : refused.error.extensions.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    const empty = await streams.admit({ client: 'tools', user: null }, { query: '' }, { countRequest: false });
    expect(empty.ok ? null : empty.error.extensions.code).toBe('BAD_REQUEST');
  });

  it('stops parsing past the token limit and applies the depth limit to subscriptions', () => {
    const schema = buildSchema('type Query { a: Int } type Node { child: Node n: Int } type Subscription { node: Node }');
    const prepare = createOperationPreparer({ ...DEFAULT_OPERATION_LIMITS, maxTokens: 20, maxDepth: 3 });
    const tokens = prepare(schema, { query: `subscription { node { ${'n '.repeat(30)} } }` });
    expect('document' in tokens ? null : tokens[0]?.extensions.code).toBe('TOKEN_LIMIT_EXCEEDED');
    const deep = prepare(schema, { query: 'subscription { node { child { child { child { n } } } } }' });
    expect('document' in deep ? null : deep[0]?.extensions.code).toBe('DEPTH_LIMIT_EXCEEDED');
    expect('document' in prepare(schema, { query: 'subscription { node { child { n } } }' })).toBe(true);
  });
});

describe('demand control on the streaming transports', () => {
  const schema = buildSchema('type Query { a: Int } type Item { id: ID } type Subscription { items: [Item] }');
  const costCheck = (maxCost: number) => createCostCheck({ maxCost, defaultListSize: 10, supergraphSdlOf: () => null });

  it('refuses a subscription over the max cost with the figures, and accepts one at it', () => {
    const limits = { ...DEFAULT_OPERATION_LIMITS, defaultListSize: 10 };
    const over = createOperationPreparer(limits, costCheck(9))(schema, { query: 'subscription { items { id } }' });
    expect('document' in over ? null : over.map((e) => [e.extensions.code, e.message])).toEqual([
      ['COST_LIMIT_EXCEEDED', "the operation's estimated cost 10 is over the limit of 9; ask for fewer items (first:) or fewer fields"],
    ]);
    expect('document' in createOperationPreparer(limits, costCheck(10))(schema, { query: 'subscription { items { id } }' })).toBe(true);
  });
});
