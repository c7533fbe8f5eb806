import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Packages whose CommonJS index re-exports every name through a getter
 * (TypeScript's `export *`, graphql's index), read per field and per
 * entity by @apollo/gateway's plan executor and result shaping: ~5% of
 * the gateway's CPU under load in one profile.
 */
const HOT_PACKAGES = ['@apollo/federation-internals', '@apollo/query-planner', 'graphql'] as const;

/**
 * Replaces each hot package's cached exports with a plain-property copy, so
 * modules that require it afterwards (@apollo/gateway's executor) read
 * values instead of calling getters. Safe because these packages assign
 * every export once, while loading; no node_modules file is changed, so a
 * clean `npm ci` keeps it. It works only before @apollo/gateway is loaded:
 * modules loaded earlier keep the getters, which are slower, not wrong.
 */
export function flattenReexports(): 'flattened' | 'too late' {
  const gatewayDist = dirname(require.resolve('@apollo/gateway'));
  if (require.cache[join(gatewayDist, 'resultShaping.js')]) return 'too late';
  for (const name of HOT_PACKAGES) {
    const path = require.resolve(name);
    const exports = require(name) as Record<string, unknown>;
    const cached = require.cache[path];
    if (!cached || cached.exports !== exports) continue;
    const plain: Record<string, unknown> = { ...exports };
    Object.defineProperty(plain, '__esModule', { value: true });
    cached.exports = plain;
  }
  return 'flattened';
}

/** Done on import: import this module before anything that loads @apollo/gateway. */
export const reexportsFlattened = flattenReexports();
