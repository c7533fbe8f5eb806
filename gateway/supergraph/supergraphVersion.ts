import type { GraphQLDataSource } from '@apollo/gateway';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { Lexer, Source, TokenKind, parse, validateSchema, type DocumentNode, type GraphQLSchema } from 'graphql';
import { supergraphId } from '../../composition/supergraphId.ts';
import { graphqlJsSchemaInSteps } from './graphqlJsSchemaInSteps.ts';

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

/**
 * Everything one supergraph revision serves with. A request, and a
 * subscription for its whole life, runs on exactly one version, so it never
 * mixes one revision's schema with another's planner or subgraph list.
 */
export interface SupergraphVersion {
  /** Short hash of the supergraph SDL, as logs and `/readyz` show it. */
  readonly id: string;
  readonly sdl: string;
  readonly apiSchema: Schema;
  /** The API schema Apollo Server validates against; requests find their version by it. */
  readonly schema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  readonly subgraphs: readonly SubgraphEndpoint[];
  readonly dataSources: Readonly<Record<string, GraphQLDataSource>>;
  /** Plans an operation (cached per version; plans never outlive their planner). */
  plan(document: DocumentNode, operationName: string | undefined, cacheKey: string): QueryPlan;
}

const PLAN_CACHE_SIZE = 1000;

const endpointsOf = (supergraph: Supergraph): SubgraphEndpoint[] =>
  supergraph
    .subgraphs()
    .values()
    .map((s) => ({ name: s.name, url: s.url }));

/**
 * Lists a supergraph's subgraphs from its `@join__graph(name:, url:)`
 * applications, found with graphql's lexer: a few milliseconds for a
 * supergraph that takes Supergraph.build a few hundred, and text inside a
 * description is one string token, so it cannot pose as one.
 */
export function subgraphEndpoints(sdl: string): SubgraphEndpoint[] {
  const lexer = new Lexer(new Source(sdl));
  const endpoints: SubgraphEndpoint[] = [];
  let previous = lexer.token;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; previous = token, token = lexer.advance()) {
    if (previous.kind !== TokenKind.AT || token.kind !== TokenKind.NAME || token.value !== 'join__graph') continue;
    if (lexer.advance().kind !== TokenKind.PAREN_L) continue;
    const args: Record<string, string> = {};
    for (let name = lexer.advance(); name.kind === TokenKind.NAME; name = lexer.advance()) {
      const colon = lexer.advance();
      const value = lexer.advance();
      if (colon.kind !== TokenKind.COLON || value.kind !== TokenKind.STRING) break;
      args[name.value] = value.value;
    }
    if (args.name !== undefined) endpoints.push({ name: args.name, url: args.url ?? '' });
    token = lexer.token;
  }
  return endpoints;
}

/** What a version is built from: everything but its data sources, which are acquired when it goes live. */
export interface SupergraphParts {
  id: string;
  sdl: string;
  supergraph: Supergraph;
  apiSchema: Schema;
  planner: QueryPlanner;
  schema: GraphQLSchema;
  supergraphSchema: GraphQLSchema;
  subgraphs: SubgraphEndpoint[];
}

/**
 * The build in steps, each at most a few tens of milliseconds for a supergraph at
 * the registry's limits; a caller that waits between them keeps serving.
 * `validated`: this SDL already built, validation included, on the build
 * check's thread, so the same checks are not run twice.
 */
function* partsInSteps(sdl: string, validated: boolean): Generator<void, SupergraphParts> {
  // Locations only serve validation's messages, and a validated SDL has none to give.
  const document = parse(sdl, { noLocation: validated });
  yield;
  const supergraph = Supergraph.build(document, { validateSupergraph: !validated });
  yield;
  // Extracting the subgraphs is lazy; the planner would do it in its own step.
  const subgraphs = endpointsOf(supergraph);
  yield;
  const apiSchema = supergraph.apiSchema();
  yield;
  const planner = new QueryPlanner(supergraph);
  yield;
  // @defer is declared so deferred operations validate; clients that cannot take it get it run inline (gateway/defer/).
  const schema = yield* graphqlJsSchemaInSteps(apiSchema, { includeDefer: true });
  yield;
  // Apollo Server asserts this on every switch; graphql caches the result on the schema.
  validateSchema(schema);
  yield;
  const supergraphSchema = yield* graphqlJsSchemaInSteps(supergraph.schema);
  return { id: supergraphId(sdl), sdl, supergraph, apiSchema, planner, schema, supergraphSchema, subgraphs };
}

/** Builds at once, validating: at start (nothing is served yet), on the build check's thread, in tests that switch synchronously. */
export function buildSupergraphParts(sdl: string): SupergraphParts {
  const steps = partsInSteps(sdl, false);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Builds an SDL that buildSupergraphParts already built elsewhere (the build
 * check), step by step, awaiting `pause()` between steps so requests in
 * flight get the event loop.
 */
export async function buildValidatedPartsInSlices(sdl: string, pause: () => Promise<void>): Promise<SupergraphParts> {
  const steps = partsInSteps(sdl, true);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

export function buildSupergraphVersion(
  sdl: string,
  dataSourcesFor: (endpoints: readonly SubgraphEndpoint[]) => Record<string, GraphQLDataSource>,
): SupergraphVersion {
  return versionFromParts(buildSupergraphParts(sdl), dataSourcesFor);
}

export function versionFromParts(
  parts: SupergraphParts,
  dataSourcesFor: (endpoints: readonly SubgraphEndpoint[]) => Record<string, GraphQLDataSource>,
): SupergraphVersion {
  const { apiSchema, planner } = parts;
  const plans = new Map<string, QueryPlan>();
  return {
    id: parts.id,
    sdl: parts.sdl,
    apiSchema,
    schema: parts.schema,
    supergraphSchema: parts.supergraphSchema,
    subgraphs: parts.subgraphs,
    dataSources: dataSourcesFor(parts.subgraphs),
    plan(document, operationName, cacheKey) {
      const cached = plans.get(cacheKey);
      if (cached) return cached;
      const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName }));
      if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
      plans.set(cacheKey, plan);
      return plan;
    },
  };
}
