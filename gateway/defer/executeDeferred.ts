import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { DeferNode, DeferredNode, FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, OperationTypeNode, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { withoutActiveDefers } from './activeDefers.ts';
import { createPayloadQueue } from './createPayloadQueue.ts';
import { deferredOperation } from './deferredOperation.ts';
import { batchLayout, batchPath, batchSeed, itemsAt, nestAt, startsWith, valueAt, type BatchLayout, type Raw, type ResponsePath } from './rawPaths.ts';

export interface IncrementalPayload {
  data: Record<string, unknown> | null;
  path: ResponsePath;
  label?: string;
  errors?: readonly GraphQLError[];
}

export interface SubsequentPayload {
  incremental: IncrementalPayload[];
  hasNext: boolean;
}

export interface DeferredExecution {
  /** The first payload: everything not deferred. */
  initial: GatewayExecutionResult;
  /** The deferred fragments, one payload per fragment and list item as each is done; empty when none remain. */
  subsequent: AsyncIterableIterator<SubsequentPayload>;
  hasNext: boolean;
}

/** Stand-ins for subgraphs: the raw data a run starts from, and the capture of what a run fetched. */
type OperationContext = ReturnType<typeof buildOperationContext>;

const SEED = '__defer_seed__';
const ROOT_TYPENAME = '__defer_root_typename__';
const CAPTURE = '__defer_capture__';
const MARK = '__defer_fetched__';

/** One run of Apollo's plan executor: what it starts from, what it fetches, what its result is shaped by. */
interface Run {
  seed: Raw | null;
  node?: PlanNode;
  shape: OperationContext;
  /** Keep the raw data once fetched (for what is deferred below, or for the next stage). */
  capture: boolean;
  /** Told as soon as each of these fetches is done, with the raw data so far (live, by reference). */
  onFetched?: { ids: ReadonlySet<string>; done: (id: string, live: Raw) => void };
}

/**
 * One deferred fragment as planned. Its items each run `first` (the
 * fetches that read only the item, e.g. the mall's search) on their own,
 * as soon as the item is known; items whose first fetches end in the same
 * turn of the event loop then run `rest` (e.g. the catalog lookup of their
 * offers) and the shaping together, and leave in one payload. No item
 * waits for another that is not done.
 */
interface Fragment {
  first?: PlanNode;
  rest?: PlanNode;
  deferred: readonly DeferredNode[];
  shape: OperationContext;
  layout: BatchLayout;
  label?: string;
  /** Items whose first fetches are done, waiting for this turn to end. */
  ready: Item[];
}

interface Item {
  fragment: Fragment;
  /** Its raw data: what the parent fetched, then what `first` added. */
  value: Raw;
  /** Where it is in the client's response. */
  clientPath: ResponsePath;
  /** Errors of its first fetches, at client paths. */
  errors: GraphQLError[];
  /** Started before the first payload was done: delivered only after it, and dropped if its place is not in it. */
  early?: boolean;
  dropped?: boolean;
}

/**
 * Executes a plan whose top node is a Defer node with Apollo's own plan
 * executor: once for the first payload, then per deferred fragment in two
 * stages (Fragment), each run seeded with its items' raw data (the same
 * trick as executeSubscription.ts: stand-in data sources replay given data).
 * To get the raw data, a run appends fetches to stand-ins that hand over the
 * raw response root by reference.
 */
export async function executeDeferred(
  version: SupergraphVersion,
  requestContext: GatewayGraphQLRequestContext,
  plan: QueryPlan & { node: DeferNode },
  options: { signal: AbortSignal; onEnd: () => void },
): Promise<DeferredExecution> {
  const variables = requestContext.request.variables ?? {};
  const operationName = requestContext.request.operationName ?? undefined;
  const document = requestContext.document;
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || d.name?.value === operationName),
  )!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const rootNames = rootResponseNames(operation, fragments);
  const contextOf = (shape: DocumentNode) => buildOperationContext({ schema: version.schema, operationDocument: shape, operationName });
  // What a first stage's result is shaped by: nothing but __typename, as only its raw data is kept.
  const bare = contextOf({
    kind: Kind.DOCUMENT,
    definitions: [{ ...operation, directives: [], selectionSet: { kind: Kind.SELECTION_SET, selections: [TYPENAME] } }],
  });

  const execute = async (run: Run): Promise<{ result: GatewayExecutionResult; raw: Raw }> => {
    const raw: Raw = {};
    const serviceMap: ServiceMap = { ...version.dataSources };
    const nodes: PlanNode[] = [];
    if (run.seed) {
      serviceMap[SEED] = replay(run.seed);
      nodes.push(rootFetch(SEED));
    }
    serviceMap[ROOT_TYPENAME] = replay({ __typename: 'Query' });
    const captureInto = (into: Raw, prefix: string): PlanNode[] => [
      rootFetch(ROOT_TYPENAME),
      {
        kind: 'Parallel',
        nodes: rootNames.map((name, i) => {
          serviceMap[`${prefix}${i}`] = capture((value) => (into[name] = value), name);
          return captureFetch(`${prefix}${i}`, name);
        }),
      },
    ];
    let node = run.node && inlineDefers(run.node);
    const { onFetched } = run;
    if (node && onFetched) {
      const live: Raw = {};
      node = afterFetches(node, onFetched.ids, (id) => {
        serviceMap[`${MARK}${id}`] = { process: async () => (onFetched.done(id, live), { data: {} }) };
        return { kind: 'Sequence', nodes: [...captureInto(live, `${CAPTURE}${id}_`), rootFetch(`${MARK}${id}`)] };
      });
    }
    if (node) nodes.push(node);
    if (run.capture) nodes.push(...captureInto(raw, CAPTURE));
    const queryPlan: QueryPlan = { kind: 'QueryPlan', node: { kind: 'Sequence', nodes } };
    const result = await executeQueryPlan(queryPlan, serviceMap, requestContext, run.shape, version.supergraphSchema, version.apiSchema);
    return { result, raw };
  };

  const planned = new Map<DeferredNode, Fragment>();
  const fragmentOf = (deferred: DeferredNode, itemPath: ResponsePath): Fragment => {
    let fragment = planned.get(deferred);
    if (fragment) return fragment;
    const nested = deferred.node?.kind === 'Defer' ? deferred.node : null;
    const subselection = (nested ? nested.primary.subselection : deferred.subselection) ?? '{}';
    const [first, rest] = stages(nested ? nested.primary.node : deferred.node);
    fragment = {
      first,
      rest,
      deferred: nested ? nested.deferred : [],
      shape: contextOf(deferredOperation(operation, fragments, deferred.queryPath, subselection)),
      layout: batchLayout(itemPath),
      ...(deferred.label === undefined ? {} : { label: deferred.label }),
      ready: [],
    };
    planned.set(deferred, fragment);
    return fragment;
  };

  /** The items of the fragments deferred below a finished run, found in its raw data and present in its result. */
  const itemsBelow = (
    deferredNodes: readonly DeferredNode[],
    /** Null while it runs: an item is then checked once the result is known. */
    result: GatewayExecutionResult | null,
    raw: Raw,
    toClientPath: (path: ResponsePath) => ResponsePath,
  ): Item[] =>
    deferredNodes.flatMap((deferred) =>
      itemsAt(raw, deferred.queryPath)
        .filter((found) => !result || valueAt(result.data, found.path) != null)
        .map((found) => ({
          fragment: fragmentOf(deferred, found.path),
          // Its own copy: sibling fragments of one item run at the same time and merge into what they get.
          value: structuredClone(found.value),
          clientPath: toClientPath(found.path),
          errors: [],
        })),
    );

  let pending = 0;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    options.onEnd();
  };
  const queue = createPayloadQueue<SubsequentPayload>({
    merge: (payloads) => ({ incremental: payloads.flatMap((p) => p.incremental), hasNext: payloads[payloads.length - 1]!.hasNext }),
    onClose: end,
  });
  /** One payload for the items done together; then what is deferred below them starts. */
  const deliver = (payloads: IncrementalPayload[], below: Item[]) => {
    pending += below.length - payloads.length;
    queue.push({ incremental: payloads, hasNext: pending > 0 });
    if (pending === 0) {
      queue.end();
      end();
    }
    below.forEach(start);
  };
  const finish = (fragment: Fragment, items: Item[]) => {
    const { layout } = fragment;
    execute({
      seed: batchSeed(
        layout,
        items.map((i) => i.value),
      ),
      node: fragment.rest,
      shape: fragment.shape,
      capture: fragment.deferred.length > 0,
    }).then(
      ({ result, raw }) => {
        const toClientPath = (path: ResponsePath) => {
          const index = layout.at === -1 ? 0 : path[layout.at];
          const item = typeof index === 'number' ? items[index] : undefined;
          return item && startsWith(path, batchPath(layout, index as number)) ? [...item.clientPath, ...path.slice(layout.single.length)] : path;
        };
        const payloads = items.map((item, index) => itemPayload(item, valueAt(result.data, batchPath(layout, index))));
        for (const error of result.errors ?? []) {
          const path = error.path ? toClientPath([...error.path]) : undefined;
          const owner = payloads.find((p) => path && startsWith(path, p.path)) ?? payloads[0]!;
          owner.errors = [...(owner.errors ?? []), withPath(error, path)];
        }
        deliver(payloads, itemsBelow(fragment.deferred, result, raw, toClientPath));
      },
      (error: unknown) =>
        deliver(
          items.map((item) => failedPayload(item, error)),
          [],
        ),
    );
  };
  /** An item started early waits for the first payload; one whose place is not in it is dropped. */
  let firstDone = false;
  const { promise: afterFirst, resolve: releaseFirst } = withResolvers();
  const whenDeliverable = (item: Item, then: () => void) => {
    if (item.early && !firstDone) return void afterFirst.then(() => whenDeliverable(item, then));
    if (!item.dropped) then();
  };
  const ready = (item: Item) => whenDeliverable(item, () => batch(item));
  const batch = (item: Item) => {
    const { fragment } = item;
    if (fragment.layout.at === -1) return finish(fragment, [item]);
    fragment.ready.push(item);
    // A zero-length window: only what is done by the end of this turn goes together.
    if (fragment.ready.length === 1) {
      setImmediate(() => {
        const items = fragment.ready;
        fragment.ready = [];
        if (!options.signal.aborted) finish(fragment, items);
      });
    }
  };
  const start = (item: Item) => {
    if (options.signal.aborted) return;
    const { fragment } = item;
    if (!fragment.first) return ready(item);
    const { single } = fragment.layout;
    execute({ seed: nestAt(single, item.value), node: fragment.first, shape: bare, capture: true }).then(
      ({ result, raw }) => {
        const value = valueAt(raw, single);
        if (value && typeof value === 'object') item.value = value as Raw;
        const toClientPath = (path: ResponsePath) => [...item.clientPath, ...(startsWith(path, single) ? path.slice(single.length) : [])];
        item.errors = (result.errors ?? []).map((e) => withPath(e, e.path ? toClientPath([...e.path]) : undefined));
        ready(item);
      },
      (error: unknown) => whenDeliverable(item, () => deliver([failedPayload(item, error)], [])),
    );
  };
  // A deferred fragment starts as soon as the first payload's fetches it depends on are done, not when all are.
  const primaryIds = fetchIds(plan.node.primary.node);
  const awaited = new Map(plan.node.deferred.map((d) => [d, new Set(d.depends.map((dep) => dep.id).filter((id) => primaryIds.has(id)))]));
  const early: Item[] = [];
  const startedEarly = new Set<DeferredNode>();
  const onFetched = {
    ids: new Set([...awaited.values()].flatMap((ids) => [...ids])),
    done: (id: string, live: Raw) => {
      for (const [deferred, ids] of awaited) {
        if (!ids.delete(id) || ids.size > 0) continue;
        awaited.delete(deferred);
        startedEarly.add(deferred);
        const items = itemsBelow([deferred], null, live, (path) => path).map((item) => ({ ...item, early: true }));
        early.push(...items);
        items.forEach(start);
      }
    },
  };
  const first = await execute({
    seed: null,
    node: plan.node.primary.node,
    shape: contextOf(withoutActiveDefers(document, variables)),
    capture: true,
    onFetched,
  });
  for (const item of early) item.dropped = valueAt(first.result.data, item.clientPath) == null;
  const items = itemsBelow(
    plan.node.deferred.filter((d) => !startedEarly.has(d)),
    first.result,
    first.raw,
    (path) => path,
  );
  pending = early.filter((item) => !item.dropped).length + items.length;
  firstDone = true;
  releaseFirst();
  const hasNext = pending > 0;
  if (hasNext) items.forEach(start);
  else {
    queue.end();
    end();
  }
  return { initial: first.result, subsequent: queue, hasNext };
}

/** The ids of the fetches a plan node runs (those a deferred fragment may depend on). */
function fetchIds(node: PlanNode | undefined): Set<string> {
  const ids = new Set<string>();
  const walk = (n: PlanNode | undefined): void => {
    if (!n) return;
    if (n.kind === 'Fetch') return void (n.id !== undefined && ids.add(n.id));
    if (n.kind === 'Flatten') return walk(n.node);
    if (n.kind === 'Sequence' || n.kind === 'Parallel') return n.nodes.forEach(walk);
    if (n.kind === 'Condition') return [n.ifClause, n.elseClause].forEach(walk);
  };
  walk(node);
  return ids;
}

/** The node with `mark(id)` run right after each fetch whose id is in `ids` (after its Flatten, so at the root). */
function afterFetches(node: PlanNode, ids: ReadonlySet<string>, mark: (id: string) => PlanNode): PlanNode {
  const fetch = node.kind === 'Flatten' ? node.node : node;
  if (fetch.kind === 'Fetch' && fetch.id !== undefined && ids.has(fetch.id)) return { kind: 'Sequence', nodes: [node, mark(fetch.id)] };
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return { ...node, nodes: node.nodes.map((n) => afterFetches(n, ids, mark)) };
    case 'Condition':
      return {
        ...node,
        ifClause: node.ifClause && afterFetches(node.ifClause, ids, mark),
        elseClause: node.elseClause && afterFetches(node.elseClause, ids, mark),
      };
    default:
      return node;
  }
}

/** A plan node split into what reads only the item (run per item) and what follows (run per batch). */
function stages(node: PlanNode | undefined): [PlanNode | undefined, PlanNode | undefined] {
  if (node?.kind !== 'Sequence') return [node, undefined];
  const [head, ...tail] = node.nodes;
  return [head, tail.length === 0 ? undefined : tail.length === 1 ? tail[0] : { kind: 'Sequence', nodes: tail }];
}

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

function withPath(error: GraphQLError, path: ResponsePath | undefined): GraphQLError {
  if (!path) return error;
  return new GraphQLError(error.message, { path, extensions: error.extensions, originalError: error.originalError });
}

function itemPayload(item: Item, data: unknown): IncrementalPayload {
  const { label } = item.fragment;
  return {
    data: data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null,
    path: item.clientPath,
    ...(label === undefined ? {} : { label }),
    ...(item.errors.length > 0 ? { errors: item.errors } : {}),
  };
}

function failedPayload(item: Item, error: unknown): IncrementalPayload {
  const path = item.clientPath;
  const { label } = item.fragment;
  const message = `the deferred part at ${path.join('.') || 'the root'} failed (${(error as Error).message ?? String(error)}); ask again without @defer`;
  return { data: null, path, ...(label === undefined ? {} : { label }), errors: [new GraphQLError(message, { path })] };
}

/** A Defer node met inside a deferred part (a nested @defer Apollo's executor cannot run) is executed inline. */
function inlineDefers(node: PlanNode): PlanNode {
  switch (node.kind) {
    case 'Defer':
      return {
        kind: 'Sequence',
        nodes: [
          ...(node.primary.node ? [inlineDefers(node.primary.node)] : []),
          { kind: 'Parallel', nodes: node.deferred.flatMap((d) => (d.node ? [inlineDefers(d.node)] : [])) },
        ],
      };
    case 'Sequence':
    case 'Parallel':
      return { ...node, nodes: node.nodes.map(inlineDefers) };
    case 'Flatten':
      return { ...node, node: inlineDefers(node.node) };
    case 'Condition':
      return { ...node, ifClause: node.ifClause && inlineDefers(node.ifClause), elseClause: node.elseClause && inlineDefers(node.elseClause) };
    default:
      return node;
  }
}

function rootFetch(serviceName: string): FetchNode {
  return { kind: 'Fetch', serviceName, variableUsages: [], operation: '{__typename}', operationName: undefined, operationKind: OperationTypeNode.QUERY };
}

/** A fetch whose representation is `{ __typename, <name>: the raw root's value }`, the value by reference. */
function captureFetch(serviceName: string, name: string): FetchNode {
  const requires: QueryPlanSelectionNode[] = [
    { kind: 'Field', name: '__typename' },
    { kind: 'Field', name },
  ];
  return { ...rootFetch(serviceName), requires };
}

function replay(data: Raw): GraphQLDataSource {
  return { process: async () => ({ data }) };
}

function capture(keep: (value: unknown) => void, name: string): GraphQLDataSource {
  return {
    process: async ({ request }) => {
      const representations = request.variables?.representations as Raw[] | undefined;
      if (representations?.[0]) keep(representations[0][name]);
      return { data: { _entities: (representations ?? []).map(() => ({})) } };
    },
  };
}

/** Response names of the operation's root fields (the keys the raw root may hold). */
function rootResponseNames(operation: OperationDefinitionNode, fragments: Readonly<Record<string, FragmentDefinitionNode>>): string[] {
  const names = new Set<string>();
  const visit = (selections: OperationDefinitionNode['selectionSet']['selections']) => {
    for (const s of selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) names.add((s.alias ?? s.name).value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet.selections);
      else {
        const fragment = fragments[s.name.value];
        if (fragment) visit(fragment.selectionSet.selections);
      }
    }
  };
  visit(operation.selectionSet.selections);
  return [...names];
}

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };
