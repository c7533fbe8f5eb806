/**
 * Writes selectors into a scaffolded site.ts the way a person would: each
 * `key: '…',` line of the `selectors` block is replaced (an optional one
 * uncommented), every other line kept. For tests and demos that play the
 * team filling in a new mall.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { SiteSelectors } from '../../subgraphs/malls/kit/siteDescription.ts';

export function fillSelectorsInSource(source: string, selectors: Partial<SiteSelectors>): string {
  const block = /^(\s*)selectors: \{\n([\s\S]*?)^\1\},$/m.exec(source);
  if (!block) throw new Error('site.ts has no `selectors: { … },` block to fill in');
  let body = block[2] ?? '';
  for (const [key, value] of Object.entries(selectors)) {
    if (value === undefined) continue;
    const line = new RegExp(`^(\\s*)(?:// )?${key}: .*,$`, 'm');
    if (!line.test(body)) throw new Error(`site.ts has no \`${key}:\` line in its selectors to fill in`);
    body = body.replace(line, (_, indent: string) => `${indent}${key}: ${JSON.stringify(value)},`);
  }
  const start = block.index + block[0].indexOf(block[2] ?? '');
  return source.slice(0, start) + body + source.slice(start + (block[2] ?? '').length);
}

/** Fills the selectors of the site.ts at `path` in place. */
export async function fillSelectors(path: string, selectors: Partial<SiteSelectors>): Promise<void> {
  await writeFile(path, fillSelectorsInSource(await readFile(path, 'utf8'), selectors));
}
