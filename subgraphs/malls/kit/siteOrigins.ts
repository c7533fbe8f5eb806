import type { SiteDescription } from './siteDescription.ts';

/**
 * Where a site lives, as origins (scheme, host and port: `http://host:4100`
 * and `http://host:4101` are different sites): its homepage's, those its
 * description names, and `extra` (the mall's public homepage). Redirects
 * and offer links are allowed only there.
 */
export function siteOrigins(site: Pick<SiteDescription, 'id' | 'homepage' | 'allowedOrigins'>, extra: readonly string[] = []): ReadonlySet<string> {
  const origins = new Set<string>();
  for (const url of [site.homepage, ...(site.allowedOrigins ?? []), ...extra]) {
    const parsed = URL.canParse(url) ? new URL(url) : null;
    if (!parsed || !isHttp(parsed)) {
      throw new Error(`${site.id}: "${url.slice(0, 100)}" is not an http(s) URL; write the site's origins as http(s)://host[:port]`);
    }
    origins.add(parsed.origin);
  }
  return origins;
}

/** An http(s) URL without credentials on one of `origins`. */
export function isOnOrigins(url: URL, origins: ReadonlySet<string>): boolean {
  return isHttp(url) && !url.username && !url.password && origins.has(url.origin);
}

function isHttp(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}
