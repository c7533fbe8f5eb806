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
 * Its routing URL names the malls it lists: Apollo's gateway reuses a data
 * source while name and URL stay the same, so a new mall list needs a new URL.
 */
export function directoryUrl(mallIds: readonly string[]): string {
  return `local://directory/${createHash('sha256').update(mallIds.join(',')).digest('hex').slice(0, 16)}`;
}
