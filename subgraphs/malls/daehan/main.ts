import { DEMO_SITES_PUBLIC_URL, demoSiteUrl } from '../demoMalls.ts';
import { runMall } from '../kit/runMall.ts';
import { createSite } from './site.ts';

runMall(createSite, demoSiteUrl(DEMO_SITES_PUBLIC_URL, 'daehan'));
