import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Loads the gateway as its entry point does, in a fresh process, and reports how the executor's dependencies export. */
const probe = `
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
await import('./gateway/createGateway.ts');
const getterOf = (name, key) => typeof Object.getOwnPropertyDescriptor(require(name), key)?.get;
console.log(JSON.stringify({ assert: getterOf('@apollo/federation-internals', 'assert'), evaluateCondition: getterOf('@apollo/query-planner', 'evaluateCondition'), Kind: getterOf('graphql', 'Kind') }));
`;

describe('the plan executor on a loaded gateway', () => {
  it("reads its dependencies' exports as plain properties, not re-export getters", () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual({ assert: 'undefined', evaluateCondition: 'undefined', Kind: 'undefined' });
  });
});
