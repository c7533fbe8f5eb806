import { Supergraph, buildSchema } from '@apollo/federation-internals';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { createBuildPacer } from '../../gateway/supergraph/buildPacer.ts';
import { graphqlJsSchemaInSteps } from '../../gateway/supergraph/graphqlJsSchemaInSteps.ts';

const supergraph = (() => {
  const composed = composeSupergraph(readSupergraphConfig('supergraph.yaml'));
  if (!composed.ok) throw new Error(composed.errors.join('; '));
  return Supergraph.build(composed.supergraphSdl);
})();

function stepped<T>(steps: Generator<void, T>): { value: T; steps: number } {
  for (let count = 1; ; count += 1) {
    const next = steps.next();
    if (next.done) return { value: next.value, steps: count };
  }
}

describe('converting a schema to graphql-js in steps', () => {
  it('gives what federation converts in one go, for the API schema with @defer and the whole supergraph', () => {
    const api = supergraph.apiSchema();
    const withDefer = stepped(graphqlJsSchemaInSteps(api, { includeDefer: true }));
    expect(withDefer.steps).toBe(3);
    expect(printSchema(withDefer.value)).toBe(printSchema(api.toGraphQLJSSchema({ includeDefer: true })));
    expect(withDefer.value.getDirective('defer')).toBeDefined();
    expect(printSchema(stepped(graphqlJsSchemaInSteps(supergraph.schema)).value)).toBe(printSchema(supergraph.schema.toGraphQLJSSchema()));
  });

  it('converts a schema with an extension-only type in one step, as federation does', () => {
    const schema = buildSchema('extend type Query { a: Int }', { validate: false });
    const converted = stepped(graphqlJsSchemaInSteps(schema));
    expect(converted.steps).toBe(1);
    expect(printSchema(converted.value)).toBe(printSchema(schema.toGraphQLJSSchema()));
  });
});

describe('pacing a build on the serving thread', () => {
  it('pauses twice as long as the step before held the thread', async () => {
    const pause = createBuildPacer(1, 2);
    const busyUntil = performance.now() + 30;
    while (performance.now() < busyUntil);
    const started = performance.now();
    await pause();
    // Timers only fire late, never early: at least 2 × 30 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(59);
  });
});
