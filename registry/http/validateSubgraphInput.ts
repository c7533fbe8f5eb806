import { DIRECTORY_SUBGRAPH } from '../../composition/subgraphDefinition.ts';
import { createRoutingAllowlist, type RoutingAllowlist } from './routingAllowlist.ts';

/** Largest SDL one subgraph may publish; real ones are a few kilobytes. */
export const MAX_SDL_BYTES = 512 * 1024;
const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string; /** HTTP status when not 400. */ status?: number };

export function checkSubgraphName(name: string): Checked<string> {
  if (!NAME.test(name))
    return { ok: false, error: `subgraph name "${name.slice(0, 80)}" is invalid: use 1–64 lowercase letters, digits, "-" or "_", starting with a letter` };
  if (name === DIRECTORY_SUBGRAPH) return { ok: false, error: `subgraph name "${DIRECTORY_SUBGRAPH}" is reserved for the generated mall directory` };
  return { ok: true, value: name };
}

/** Where the registry's options name no allowlist (tests, tools): the demo profile. */
const DEMO_ALLOWLIST = createRoutingAllowlist();

/**
 * A routing URL the gateways may send queries to: http(s), no credentials,
 * its host written plainly (WHATWG turns `0x7f000001`, `2130706433`,
 * `0177.1` and `%31…` into 127.0.0.1, so a host that changes when parsed is
 * a trick) and on the operator's allowlist (`GATEHOUSE_ROUTING_ALLOW`).
 */
export function checkRoutingUrl(value: unknown, allowlist: RoutingAllowlist = DEMO_ALLOWLIST): Checked<string> {
  if (typeof value !== 'string' || value === '')
    return { ok: false, error: 'routingUrl is required: the http(s) URL the gateway sends this subgraph its queries at' };
  const shown = JSON.stringify(value.slice(0, 200));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, error: `routingUrl ${shown} is not a URL; give an http(s) URL such as http://host:4011/graphql` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: `routingUrl must be http or https, not "${url.protocol.replace(/:$/, '')}"` };
  }
  if (url.username || url.password) return { ok: false, error: "routingUrl must not carry credentials; the gateway forwards the caller's token instead" };
  const written = writtenHostname(value);
  if (written === null || written !== url.hostname) {
    return {
      ok: false,
      error: `routingUrl ${shown} writes its host in a form that parses as ${url.hostname}; write the host plainly (e.g. http://${url.hostname}${url.port ? `:${url.port}` : ''}/…) if it is one you mean`,
    };
  }
  if (!allowlist.allows(url.hostname)) {
    return {
      ok: false,
      error: `routingUrl ${shown} points at ${url.hostname}, which is not an allowed subgraph host; use a host on GATEHOUSE_ROUTING_ALLOW or ask the operator to add it (link-local and cloud metadata addresses are never allowed)`,
    };
  }
  return { ok: true, value };
}

/** The host exactly as the URL text writes it, lowercased; null if the text is not plain `scheme://host[:port][/…]`. */
function writtenHostname(value: string): string | null {
  const match = /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[^/?#\\:@[\]\s]+)(:\d{1,5})?(?:[/?#]|$)/i.exec(value);
  if (!match || /[\s\\]/.test(value)) return null;
  return match[1]!.toLowerCase();
}

export function checkSdl(value: unknown): Checked<string> {
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, error: "sdl is required: the subgraph's schema (its `_service { sdl }`)" };
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_SDL_BYTES) return { ok: false, status: 413, error: `sdl is ${bytes} bytes; a subgraph schema may be at most ${MAX_SDL_BYTES} bytes` };
  return { ok: true, value };
}

/** Longest a team token may live; a year is already long for a credential. */
export const MAX_TOKEN_DAYS = 365;

export interface TokenRequest {
  team: string;
  subgraphs: string[];
  contributes: string[];
  expiresInDays: number;
}

const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]{0,99}(\.[_A-Za-z][_0-9A-Za-z]{0,99})?$/;

/**
 * `POST /v1/tokens`: `{ team, subgraphs: [names], contributes?: [coordinates], expiresInDays? }`
 * (default 90 days). Without `contributes` the team may publish a mall and nothing else.
 */
export function checkTokenRequest(body: Record<string, unknown>): Checked<TokenRequest> {
  const team = body.team;
  if (typeof team !== 'string' || !NAME.test(team)) {
    return { ok: false, error: `team "${String(team).slice(0, 80)}" is invalid: use 1–64 lowercase letters, digits, "-" or "_", starting with a letter` };
  }
  const subgraphs = body.subgraphs;
  if (!Array.isArray(subgraphs) || subgraphs.length === 0 || subgraphs.length > 50) {
    return { ok: false, error: 'subgraphs must list the 1 to 50 subgraph names the team may change' };
  }
  for (const name of subgraphs) {
    const checked = checkSubgraphName(typeof name === 'string' ? name : String(name));
    if (!checked.ok || typeof name !== 'string') return { ok: false, error: checked.ok ? 'subgraph names must be strings' : checked.error };
  }
  const contributes = body.contributes ?? [];
  if (!Array.isArray(contributes) || contributes.length > 100 || !contributes.every((c) => typeof c === 'string' && COORDINATE.test(c))) {
    return {
      ok: false,
      error: 'contributes must list at most 100 schema coordinates the team may add besides its mall, each "Type" or "Type.field" (e.g. Query.reviews)',
    };
  }
  const days = body.expiresInDays ?? 90;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    return { ok: false, error: `expiresInDays must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}` };
  }
  return { ok: true, value: { team, subgraphs: [...new Set(subgraphs as string[])], contributes: [...new Set(contributes as string[])], expiresInDays: days } };
}

/** A team token's id as `gatehouse token issue` printed it. */
export function checkTokenId(id: string): Checked<string> {
  if (/^tt_[0-9a-f]{16}$/.test(id)) return { ok: true, value: id };
  return { ok: false, error: `"${id.slice(0, 80)}" is not a team token id; ids look like tt_0123456789abcdef (see gatehouse token list)` };
}
