import { createMemoryCrawlCache } from '../../subgraphs/malls/kit/memoryCrawlCache.ts';
import { createLeaseTable, createMemoryCrawlLeases } from '../../subgraphs/malls/kit/memoryCrawlLeases.ts';
import { describeCrawlCache, describeCrawlLeases } from '../support/crawlStoreContracts.ts';

describeCrawlCache('in memory', (retainMs) => Promise.resolve(createMemoryCrawlCache({ retainMs })));
describeCrawlLeases('in memory', () => {
  const table = createLeaseTable();
  return Promise.resolve((holder: string) => createMemoryCrawlLeases(table, holder));
});
