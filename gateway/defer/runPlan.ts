import { type buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { OperationTypeNode } from 'graphql';
import type { SupergraphVersion } from '../supergraph/supergraphVersion.ts';
import { afterFetches, inlineDefers } from './planRewrites.ts';
import type { Raw } from './rawPaths.ts';

export type OperationContext = ReturnType<typeof buildOperationContext>;

/** Told as soon as each of these fetches is done, with the raw data so far (live, by reference). */
export interface FetchWatch {
  ids: ReadonlySet<string>;
  done: (id: string, live: Raw) => void;
}

/** One run of Apollo's plan executor: what it starts from, what it fetches, what its result is shaped by. */
export interface Run {
  seed: Raw | null;
  node?: PlanNode;
  shape: OperationContext;
  /** Keep the raw data once fetched (for what is deferred below, or for the next stage). */
  capture: boolean;
  onFetched?: FetchWatch;
}

export interface RunResult {
  result: GatewayExecutionResult;
  raw: Raw;
}

/** What every run of one request shares. */
export interface RunScope {
  version: SupergraphVersion;
  requestContext: GatewayGraphQLRequestContext;
  /** Response names of the operation's root fields (the keys the raw root may hold). */
  rootNames: readonly string[];
}

/** Stand-ins for subgraphs: the raw data a run starts from, and the capture of what a run fetched. */
const SEED = '__defer_seed__';
const ROOT_TYPENAME = '__defer_root_typename__';
const CAPTURE = '__defer_capture__';
const MARK = '__defer_fetched__';

/**
 * Runs a plan node with Apollo's own plan executor, seeded with given raw
 * data (stand-in data sources replay it, the same trick as
 * executeSubscription.ts). To get the raw data, it appends fetches to
 * stand-ins that hand over the raw response root by reference.
 */
export async function runPlan(scope: RunScope, run: Run): Promise<RunResult> {
  const { version, requestContext, rootNames } = scope;
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
