import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { DeferNode, FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, OperationTypeNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { withoutActiveDefers } from './activeDefers.ts';
import { createPayloadQueue } from './createPayloadQueue.ts';
import { deferredOperation } from './deferredOperation.ts';

type ResponsePath = (string | number)[];
type Raw = Record<string, unknown>;

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
const SEED = '__defer_seed__';
const ROOT_TYPENAME = '__defer_root_typename__';
const CAPTURE = '__defer_capture__';

/** One thing to execute and deliver: the first payload, or one deferred fragment for one list item. */
interface Step {
  primary?: PlanNode;
  deferred: readonly DeferNode['deferred'][number][];
  /** The raw data the step starts from (its item, nested along its path), or none for the first payload. */
  seed: Raw | null;
  /** What its result is shaped by. */
  shape: DocumentNode;
  /** Where its item sits in its own result (list indexes 0), and how its paths read in the client's response. */
  itemPath: ResponsePath;
  toClientPath: (path: ResponsePath) => ResponsePath;
  label?: string;
}

/**
 * Executes a plan whose top node is a Defer node with Apollo's own plan
 * executor, once for the first payload and then once per deferred fragment
 * and list item, each item's run seeded with that item's raw data (the same
 * trick as executeSubscription.ts: stand-in data sources replay given data).
 * To get the raw data, each run appends fetches to stand-ins that hand over
 * the raw response root by reference.
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

  const run = async (step: Step): Promise<{ result: GatewayExecutionResult; raw: Raw }> => {
    const raw: Raw = {};
    const serviceMap: ServiceMap = { ...version.dataSources };
    const nodes: PlanNode[] = [];
    if (step.seed) {
      serviceMap[SEED] = replay(step.seed);
      nodes.push(rootFetch(SEED));
    }
    if (step.primary) nodes.push(inlineDefers(step.primary));
    if (step.deferred.length > 0) {
      serviceMap[ROOT_TYPENAME] = replay({ __typename: 'Query' });
      nodes.push(rootFetch(ROOT_TYPENAME));
      const captures = rootNames.map((name, i) => {
        serviceMap[`${CAPTURE}${i}`] = capture((value) => (raw[name] = value), name);
        return captureFetch(`${CAPTURE}${i}`, name);
      });
      nodes.push({ kind: 'Parallel', nodes: captures });
    }
    const operationContext = buildOperationContext({ schema: version.schema, operationDocument: step.shape, operationName });
    const queryPlan: QueryPlan = { kind: 'QueryPlan', node: { kind: 'Sequence', nodes } };
    const result = await executeQueryPlan(queryPlan, serviceMap, requestContext, operationContext, version.supergraphSchema, version.apiSchema);
    return { result, raw };
  };

  /** The deferred fragments of a finished step, one step per item found in its raw data. */
  const childrenOf = (step: Step, result: GatewayExecutionResult, raw: Raw): Step[] =>
    step.deferred.flatMap((deferred) => {
      const nested = deferred.node?.kind === 'Defer' ? deferred.node : null;
      const subselection = (nested ? nested.primary.subselection : deferred.subselection) ?? '{}';
      const shape = deferredOperation(operation, fragments, deferred.queryPath, subselection);
      return itemsAt(raw, deferred.queryPath)
        .filter((item) => valueAt(result.data, item.path) != null)
        .map((item): Step => {
          const itemPath = item.path.map((step) => (typeof step === 'number' ? 0 : step));
          return {
            primary: nested ? nested.primary.node : deferred.node,
            deferred: nested ? nested.deferred : [],
            seed: nestAt(itemPath, structuredClone(item.value)),
            shape,
            itemPath,
            toClientPath: (path) => step.toClientPath(startsWith(path, itemPath) ? [...item.path, ...path.slice(itemPath.length)] : path),
            label: deferred.label,
          };
        });
    });

  const top: Step = {
    primary: plan.node.primary.node,
    deferred: plan.node.deferred,
    seed: null,
    shape: withoutActiveDefers(document, variables),
    itemPath: [],
    toClientPath: (path) => path,
  };
  const first = await run(top);
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
  const deliver = (step: Step, payload: IncrementalPayload, children: Step[]) => {
    pending += children.length - 1;
    queue.push({ incremental: [payload], hasNext: pending > 0 });
    if (pending === 0) {
      queue.end();
      end();
    }
    for (const child of children) start(child);
  };
  const start = (step: Step) => {
    if (options.signal.aborted) return;
    run(step).then(
      ({ result, raw }) => deliver(step, itemPayload(step, result), childrenOf(step, result, raw)),
      (error: unknown) => deliver(step, failedPayload(step, error), []),
    );
  };
  const children = childrenOf(top, first.result, first.raw);
  pending = children.length;
  const hasNext = pending > 0;
  if (hasNext) for (const child of children) start(child);
  else {
    queue.end();
    end();
  }
  return { initial: first.result, subsequent: queue, hasNext };
}

function itemPayload(step: Step, result: GatewayExecutionResult): IncrementalPayload {
  const data = valueAt(result.data, step.itemPath);
  const errors = result.errors?.map((e) =>
    e.path ? new GraphQLError(e.message, { path: step.toClientPath([...e.path]), extensions: e.extensions, originalError: e.originalError }) : e,
  );
  return {
    data: data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null,
    path: step.toClientPath(step.itemPath),
    ...(step.label === undefined ? {} : { label: step.label }),
    ...(errors?.length ? { errors } : {}),
  };
}

function failedPayload(step: Step, error: unknown): IncrementalPayload {
  const path = step.toClientPath(step.itemPath);
  const message = `the deferred part at ${path.join('.') || 'the root'} failed (${(error as Error).message ?? String(error)}); ask again without @defer`;
  return { data: null, path, ...(step.label === undefined ? {} : { label: step.label }), errors: [new GraphQLError(message, { path })] };
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

/** Every object at a query path in raw data, lists expanded, with its response path. */
function itemsAt(raw: unknown, queryPath: readonly string[]): { value: Raw; path: ResponsePath }[] {
  const found: { value: Raw; path: ResponsePath }[] = [];
  const walk = (value: unknown, rest: readonly string[], path: ResponsePath) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, rest, [...path, i]));
    if (typeof value !== 'object') return;
    const [step, ...more] = rest;
    if (step === undefined) return void found.push({ value: value as Raw, path });
    if (step.startsWith('... on ')) return walk(value, more, path);
    walk((value as Raw)[step], more, [...path, step]);
  };
  walk(raw, queryPath, []);
  return found;
}

function valueAt(data: unknown, path: ResponsePath): unknown {
  let value = data;
  for (const step of path) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}

/** `{ malls: [item] }` for the path `malls.0`: the item alone where the plan expects it. */
function nestAt(path: ResponsePath, value: Raw): Raw {
  let nested: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) nested = typeof path[i] === 'number' ? [nested] : { [path[i] as string]: nested };
  return nested as Raw;
}

function startsWith(path: ResponsePath, prefix: ResponsePath): boolean {
  return prefix.length <= path.length && prefix.every((step, i) => path[i] === step);
}
