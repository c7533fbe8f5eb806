import { MALL_IDS, type MallId } from './listing.ts';

/** `hanbit=50,daehan=700` → each site's delay; refuses an unknown site or a bad number in one sentence. */
export function parseSiteDelays(text: string): Partial<Record<MallId, number>> {
  const delays: Partial<Record<MallId, number>> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [site, ms] = entry.split('=').map((part) => part.trim());
    if (!(MALL_IDS as readonly string[]).includes(site ?? '') || !/^\d+$/.test(ms ?? '')) {
      throw new Error(`DEMO_SITE_DELAYS_MS entry "${entry}" is not <site>=<milliseconds> with a site among ${MALL_IDS.join(', ')}`);
    }
    delays[site as MallId] = Number(ms);
  }
  return delays;
}
