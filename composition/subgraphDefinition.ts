/** One subgraph as composition sees it: where it runs and what it declares. */
export interface SubgraphDefinition {
  name: string;
  url: string;
  sdl: string;
}

/** The gateway serves the directory in-process; this is its routing URL. */
export const DIRECTORY_SUBGRAPH = 'directory';
export const DIRECTORY_URL = 'local://directory';
