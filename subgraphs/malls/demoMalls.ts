import type { SiteDescription } from './kit/siteDescription.ts';
import { createSite as createDaehanSite } from './daehan/site.ts';
import { createSite as createHanbitSite } from './hanbit/site.ts';
import { createSite as createSejongSite } from './sejong/site.ts';

export interface DemoMall {
  id: string;
  createSite(siteUrl: string): SiteDescription;
  /** Entry of its subgraph process. */
  entry: string;
}

/** The malls `npm start` runs, crawling the demo sites under `/<id>/`. */
export const DEMO_MALLS: DemoMall[] = [
  { id: 'hanbit', createSite: createHanbitSite, entry: 'subgraphs/malls/hanbit/main.ts' },
  { id: 'daehan', createSite: createDaehanSite, entry: 'subgraphs/malls/daehan/main.ts' },
  { id: 'sejong', createSite: createSejongSite, entry: 'subgraphs/malls/sejong/main.ts' },
];

/** Where shoppers find the demo sites when `npm start` runs them. */
export const DEMO_SITES_PUBLIC_URL = 'http://localhost:4100';

export function demoSiteUrl(base: string, id: string): string {
  return `${base.replace(/\/$/, '')}/${id}/`;
}
