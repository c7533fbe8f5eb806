import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SubgraphDefinition } from './subgraphDefinition.ts';

/**
 * Reads a supergraph config in rover's format (`subgraphs.<name>.routing_url`,
 * `schema.file`). `SUBGRAPH_URL_<NAME>` overrides a routing URL, so the same
 * file serves a laptop, CI and docker-compose.
 */
export function readSupergraphConfig(path: string, env: NodeJS.ProcessEnv = process.env): SubgraphDefinition[] {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read supergraph config ${path}: ${(error as Error).message}`);
  }
  const subgraphs = (document as { subgraphs?: unknown } | null)?.subgraphs;
  if (!subgraphs || typeof subgraphs !== 'object') {
    throw new Error(`${path} has no "subgraphs" map; see rover's supergraph.yaml format`);
  }
  return Object.entries(subgraphs as Record<string, unknown>).map(([name, entry]) => readEntry(path, name, entry, env));
}

function readEntry(path: string, name: string, entry: unknown, env: NodeJS.ProcessEnv): SubgraphDefinition {
  const where = `${path}: subgraph "${name}"`;
  const { routing_url: routingUrl, schema } = (entry ?? {}) as { routing_url?: unknown; schema?: { file?: unknown } };
  const url = env[subgraphUrlVariable(name)] || routingUrl;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    throw new Error(`${where} needs an http(s) routing_url (or ${subgraphUrlVariable(name)})`);
  }
  if (typeof schema?.file !== 'string') {
    throw new Error(`${where} needs schema.file, the path of its SDL`);
  }
  const file = resolve(dirname(path), schema.file);
  try {
    return { name, url, sdl: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new Error(`${where}: cannot read its schema ${file}: ${(error as Error).message}`);
  }
}

export function subgraphUrlVariable(name: string): string {
  return `SUBGRAPH_URL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
