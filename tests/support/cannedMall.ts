import type { RunningSubgraph } from '../../lib/subgraph/serveSubgraph.ts';
import { createMallSubgraph } from '../../subgraphs/malls/kit/createMallSubgraph.ts';

/**
 * A real mall subgraph (the mall kit's schema and resolvers) in the test
 * process, whose every search answers one offer titled after the keyword:
 * a team's mall without a site to crawl, which a test can stop and start
 * again on the same port.
 */
export function serveCannedMall(id: string, port?: number): Promise<RunningSubgraph> {
  return createMallSubgraph({
    mall: { id, name: id.toUpperCase(), homepage: `http://127.0.0.1:9/${id}/` },
    search: {
      search: async (keyword) => ({
        offers: [{ title: `${id} ${keyword}`, price: 1000, currency: 'KRW', url: `http://127.0.0.1:9/${id}/1`, imageUrl: null, model: null }],
        fetchedAt: new Date(),
        cached: false,
        error: null,
      }),
    },
    port,
  });
}
