import type { CrawledOffer } from './siteDescription.ts';

/**
 * The crawler may reach a site at an internal address (`http://demo-sites:4100/`
 * in docker-compose) that shoppers cannot open; offers point at the public
 * origin instead. Links to the site's other origins (`allowedOrigins`, a CDN)
 * stay as they are; extraction has dropped links anywhere else.
 */
export function createOfferRebaser(crawlBase: string, publicBase: string): (offer: CrawledOffer) => CrawledOffer {
  const from = `${new URL(crawlBase).origin}/`;
  const to = `${new URL(publicBase).origin}/`;
  if (from === to) return (offer) => offer;
  const rebase = (url: string) => (url.startsWith(from) ? to + url.slice(from.length) : url);
  return (offer) => ({ ...offer, url: rebase(offer.url), imageUrl: offer.imageUrl && rebase(offer.imageUrl) });
}
