import type { DeferNode, DeferredNode, FetchNode, PlanNode } from '@apollo/query-planner';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { batchThisTurn } from '../../gateway/defer/batchThisTurn.ts';
import type { Fragment, Item } from '../../gateway/defer/deferredItems.ts';
import { createDeferredOutput } from '../../gateway/defer/deferredOutput.ts';
import { batchPayloads, failedPayload, keepFirstStage, type SubsequentPayload } from '../../gateway/defer/deferredPayloads.ts';
import { createEarlyStarts } from '../../gateway/defer/earlyStarts.ts';
import { createFirstPayloadGate } from '../../gateway/defer/firstPayloadGate.ts';
import { fetchIds, stages } from '../../gateway/defer/planRewrites.ts';
import { batchLayout, type ResponsePath } from '../../gateway/defer/rawPaths.ts';
import type { OperationContext } from '../../gateway/defer/runPlan.ts';

function fragmentAt(itemPath: ResponsePath, label?: string): Fragment {
  return { deferred: [], shape: {} as OperationContext, layout: batchLayout(itemPath), ready: [], ...(label ? { label } : {}) };
}

function itemOf(fragment: Fragment, clientPath: ResponsePath): Item {
  return { fragment, value: {}, clientPath, errors: [] };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function fetch(id: string): FetchNode {
  return { kind: 'Fetch', id, serviceName: 's', variableUsages: [], operation: '{x}', operationName: undefined, operationKind: OperationTypeNode.QUERY };
}

describe('deferred payload shaping', () => {
  it("gives each item of a batch its own data at its client path, and each error to the item it belongs to, at the item's path", () => {
    const fragment = fragmentAt(['malls', 0], 'offers');
    const items = [itemOf(fragment, ['malls', 0]), itemOf(fragment, ['malls', 2])];
    const { payloads, toClientPath } = batchPayloads(items, fragment.layout, {
      data: { malls: [{ search: 'a' }, { search: 'b' }] },
      errors: [new GraphQLError('catalog failed', { path: ['malls', 1, 'search'] }), new GraphQLError('no path')],
    });
    expect(payloads.map((p) => [p.path, p.data, p.label])).toEqual([
      [['malls', 0], { search: 'a' }, 'offers'],
      [['malls', 2], { search: 'b' }, 'offers'],
    ]);
    expect(payloads[0]!.errors?.map((e) => e.message)).toEqual(['no path']);
    expect(payloads[1]!.errors?.map((e) => [e.message, e.path])).toEqual([['catalog failed', ['malls', 2, 'search']]]);
    expect(toClientPath(['malls', 1, 'search', 'offers'])).toEqual(['malls', 2, 'search', 'offers']);
  });

  it("keeps what an item's first stage fetched and moves its errors to the item's client path", () => {
    const item = itemOf(fragmentAt(['malls', 0]), ['malls', 2]);
    keepFirstStage(item, { errors: [new GraphQLError('mall down', { path: ['malls', 0, 'search'] })] }, { malls: [{ id: 'sejong', search: null }] });
    expect(item.value).toEqual({ id: 'sejong', search: null });
    expect(item.errors.map((e) => e.path)).toEqual([['malls', 2, 'search']]);
  });

  it('says which deferred part failed and what to do, at its path', () => {
    const payload = failedPayload(itemOf(fragmentAt(['malls', 0], 'offers'), ['malls', 1]), new Error('socket hang up'));
    expect(payload).toMatchObject({ data: null, path: ['malls', 1], label: 'offers' });
    expect(payload.errors?.[0]?.message).toBe('the deferred part at malls.1 failed (socket hang up); ask again without @defer');
  });
});

describe('deferred output', () => {
  it('says hasNext until the last pending item is delivered, counting the items started below, then ends once', async () => {
    const ends: string[] = [];
    const output = createDeferredOutput(() => ends.push('end'));
    const payload = (n: number) => ({ data: { n }, path: [n] });
    expect(output.open(2)).toBe(true);
    output.deliver([payload(0)], 1);
    output.deliver([payload(1)], 0);
    expect(ends).toEqual([]);
    output.deliver([payload(2)], 0);
    expect(ends).toEqual(['end']);
    const read: SubsequentPayload[] = [];
    for await (const p of output.subsequent) read.push(p);
    expect(read).toEqual([{ incremental: [payload(0), payload(1), payload(2)], hasNext: false }]);
    expect(ends).toEqual(['end']);
  });

  it('ends at once when nothing is deferred', async () => {
    const ends: string[] = [];
    const output = createDeferredOutput(() => ends.push('end'));
    expect(output.open(0)).toBe(false);
    expect(ends).toEqual(['end']);
    expect(await output.subsequent.next()).toEqual({ done: true, value: undefined });
  });
});

describe('first payload gate', () => {
  it('holds an item started early until the first payload is done, drops one whose place is not in it, and lets others through', async () => {
    const gate = createFirstPayloadGate();
    const ran: string[] = [];
    const early = { early: true };
    gate.whenDeliverable(early, () => ran.push('early'));
    gate.whenDeliverable({ early: true, dropped: false }, () => ran.push('kept'));
    const gone = { early: true, dropped: false };
    gate.whenDeliverable(gone, () => ran.push('gone'));
    gate.whenDeliverable({}, () => ran.push('late'));
    expect(ran).toEqual(['late']);
    gone.dropped = true;
    await nextTurn();
    expect(ran).toEqual(['late']);
    gate.open();
    await nextTurn();
    expect(ran).toEqual(['late', 'early', 'kept']);
  });
});

describe('same-turn batch', () => {
  it('runs the items of a fragment done in one turn together, and a later one in its own run, without waiting for it', async () => {
    const fragment = fragmentAt(['malls', 0]);
    const runs: ResponsePath[][] = [];
    const run = (_: Fragment, items: Item[]) => runs.push(items.map((i) => i.clientPath));
    const signal = new AbortController().signal;
    batchThisTurn(itemOf(fragment, ['malls', 0]), run, signal);
    batchThisTurn(itemOf(fragment, ['malls', 1]), run, signal);
    expect(runs).toEqual([]);
    await nextTurn();
    expect(runs).toEqual([
      [
        ['malls', 0],
        ['malls', 1],
      ],
    ]);
    batchThisTurn(itemOf(fragment, ['malls', 2]), run, signal);
    await nextTurn();
    expect(runs).toEqual([
      [
        ['malls', 0],
        ['malls', 1],
      ],
      [['malls', 2]],
    ]);
  });

  it('runs an item not under a list at once, and nothing once the client has left', async () => {
    const runs: number[] = [];
    const run = (_: Fragment, items: Item[]) => runs.push(items.length);
    batchThisTurn(itemOf(fragmentAt([]), []), run, new AbortController().signal);
    expect(runs).toEqual([1]);
    const left = new AbortController();
    batchThisTurn(itemOf(fragmentAt(['malls', 0]), ['malls', 0]), run, left.signal);
    left.abort();
    await nextTurn();
    expect(runs).toEqual([1]);
  });
});

describe('early starts', () => {
  it('starts a deferred fragment once the first-payload fetches it depends on are done, and not for fetches outside the first payload', () => {
    const deferred = (name: string, ids: string[]): DeferredNode => ({ label: name, depends: ids.map((id) => ({ id })), queryPath: [] });
    const onA = deferred('a', ['0']);
    const onBoth = deferred('both', ['0', '1']);
    const elsewhere = deferred('elsewhere', ['9']);
    const defer: DeferNode = {
      kind: 'Defer',
      primary: { node: { kind: 'Sequence', nodes: [fetch('0'), { kind: 'Flatten', path: ['x'], node: fetch('1') }] } },
      deferred: [onA, onBoth, elsewhere],
    };
    const started: string[] = [];
    const { onFetched, startedEarly } = createEarlyStarts(defer, (d, live) => started.push(`${d.label}:${String(live.n)}`));
    expect([...onFetched.ids].sort()).toEqual(['0', '1']);
    onFetched.done('0', { n: 1 });
    expect(started).toEqual(['a:1']);
    onFetched.done('1', { n: 2 });
    expect(started).toEqual(['a:1', 'both:2']);
    expect([...startedEarly]).toEqual([onA, onBoth]);
  });
});

describe('plan rewrites', () => {
  it('splits a deferred node into the fetch that reads only the item and what follows', () => {
    const [a, b, c] = [fetch('a'), fetch('b'), fetch('c')];
    expect(stages({ kind: 'Sequence', nodes: [a, b, c] })).toEqual([a, { kind: 'Sequence', nodes: [b, c] }]);
    expect(stages({ kind: 'Sequence', nodes: [a, b] })).toEqual([a, b]);
    expect(stages(a)).toEqual([a, undefined]);
  });

  it('finds the fetch ids under every kind of node', () => {
    const node: PlanNode = {
      kind: 'Parallel',
      nodes: [fetch('1'), { kind: 'Condition', condition: 'c', ifClause: fetch('2'), elseClause: { kind: 'Flatten', path: [], node: fetch('3') } }],
    };
    expect([...fetchIds(node)].sort()).toEqual(['1', '2', '3']);
  });
});
