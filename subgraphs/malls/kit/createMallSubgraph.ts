import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Metrics } from '../../../lib/metrics/createMetrics.ts';
import type { GraphQLResolverMap } from '../../../lib/subgraph/resolverMap.ts';
import { parse } from 'graphql';
import { mallTypeName } from '../../../composition/mallNaming.ts';
import { DateTimeScalar } from '../../../lib/subgraph/dateTimeScalar.ts';
import { serveSubgraph, type RunningSubgraph, type ServeOptions } from '../../../lib/subgraph/serveSubgraph.ts';
import type { MallSearch } from './createMallSearch.ts';
import { mallSdl, type MallIdentity } from './mallSchema.ts';
import { createOfferRebaser } from './publicUrls.ts';
import type { CrawledOffer } from './siteDescription.ts';
import { validateSearchInput } from './validateSearchInput.ts';

export interface MallSubgraphOptions {
  mall: MallIdentity;
  search: MallSearch;
  /** Where the crawler reached the site, rewritten to `mall.homepage` in offers. */
  crawlBase?: string;
  port?: number;
  host?: string;
  /** Served at `/metrics` when given. */
  metrics?: Metrics;
  serve?: ServeOptions;
}

interface MallReference {
  id: string;
}

/** Wires one mall's search into its subgraph: `<Id>Mall.search` and `Offer.product`. */
export function createMallSubgraph(options: MallSubgraphOptions): Promise<RunningSubgraph> {
  const { mall, search } = options;
  const typeName = mallTypeName(mall.id);
  const toPublic = createOfferRebaser(options.crawlBase ?? mall.homepage, mall.homepage);
  const resolvers = {
    DateTime: DateTimeScalar,
    Mall: { __resolveType: () => typeName },
    [typeName]: {
      __resolveReference: (reference: MallReference) => (reference.id === mall.id ? { id: mall.id } : null),
      search: async (_mall: MallReference, args: { keyword: string; first: number }) => {
        validateSearchInput(args.keyword, args.first);
        const result = await search.search(args.keyword, args.first);
        return { ...result, offers: result.offers.map(toPublic) };
      },
    },
    Offer: {
      product: (offer: CrawledOffer) => (offer.model ? { __typename: 'Product', model: offer.model } : null),
    },
  } as GraphQLResolverMap<unknown>;
  const schema = buildSubgraphSchema({ typeDefs: parse(mallSdl(mall)), resolvers });
  return serveSubgraph({
    name: mall.id,
    schema,
    context: async () => ({}),
    port: options.port,
    host: options.host,
    metrics: options.metrics,
    serve: options.serve,
  });
}
