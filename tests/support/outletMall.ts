/**
 * A fourth mall for live-reload tests: 아울렛 crawls the hanbit demo site under
 * its own id, so publishing it adds a mall no supergraph.yaml knows.
 */
import { createSite } from '../../subgraphs/malls/hanbit/site.ts';
import { runMall } from '../../subgraphs/malls/kit/runMall.ts';

runMall((siteUrl) => ({ ...createSite(siteUrl), id: 'outlet', name: '아울렛' }), 'http://127.0.0.1:1/hanbit/');
