/** One subgraph as composition sees it: where it runs and what it declares. */
export interface SubgraphDefinition {
  name: string;
  url: string;
  sdl: string;
}

import { createHash } from 'node:crypto';

/** The gateway serves the directory in-process, under this subgraph name. */
export const DIRECTORY_SUBGRAPH = 'directory';

/**
 * Its routing URL names what it lists: the gateway reuses a data source while
 * name and URL stay the same, so a changed mall list, or a mall's new name or
 * homepage, needs a new URL.
 */
export function directoryUrl(malls: ReadonlyArray<{ id: string; name: string; homepage: string }>): string {
  const listing = malls.map((m) => [m.id, m.name, m.homepage]);
  return `local://directory/${createHash('sha256').update(JSON.stringify(listing)).digest('hex').slice(0, 16)}`;
}
