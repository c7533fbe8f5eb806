import { BlockList, isIP } from 'node:net';

/**
 * What `GATEHOUSE_ROUTING_ALLOW` defaults to: loopback, the RFC 1918 and IPv6
 * unique-local ranges, and `localhost` — the demo profile, where every
 * subgraph runs on this machine or a private network.
 */
export const DEMO_ROUTING_ALLOW = '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7,localhost';

/**
 * Refused whatever the allowlist says: link-local (cloud metadata lives at
 * 169.254.169.254 and fd00:ec2::254), "this network", multicast and
 * broadcast, and IPv4-mapped IPv6, which would smuggle any IPv4 address past
 * an IPv6 entry.
 */
const NEVER_ADDRESSES: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['100.100.100.200', 32, 'ipv4'],
  ['192.0.0.192', 32, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['255.255.255.255', 32, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** Cloud metadata services by name; refused whatever the allowlist says. */
const NEVER_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
  'metadata.tencentyun.com',
]);

const never = new BlockList();
for (const [address, prefix, family] of NEVER_ADDRESSES) never.addSubnet(address, prefix, family);
// Apart: a BlockList matches IPv4 addresses against an IPv4-mapped subnet too.
const mapped = new BlockList();
mapped.addSubnet('::ffff:0:0', 96, 'ipv6');

/** The address without IPv6 brackets. */
const bare = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/** True for an address no subgraph may be routed to, such as a metadata service. */
export function isNeverRoutable(address: string): boolean {
  const ip = bare(address);
  const family = isIP(ip);
  if (family === 4) return never.check(ip, 'ipv4');
  return family === 6 && (mapped.check(ip, 'ipv6') || never.check(ip, 'ipv6'));
}

export interface RoutingAllowlist {
  /** Whether a URL's host (`url.hostname`, as WHATWG normalised it) may be routed to. */
  allows(hostname: string): boolean;
  /** The list as configured, for error messages. */
  readonly source: string;
}

/**
 * Parses `GATEHOUSE_ROUTING_ALLOW`: comma-separated CIDRs (`10.0.0.0/8`),
 * single addresses, host names and `*.suffix` wildcards. Host names match
 * by name only; the probe refuses to connect where one resolves to a
 * never-routable address.
 */
export function createRoutingAllowlist(source: string = DEMO_ROUTING_ALLOW): RoutingAllowlist {
  const addresses = new BlockList();
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of source
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean)) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(bare(address));
    if (family !== 0) {
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if (!/^\d+$/.test(prefix ?? String(bits)) || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`GATEHOUSE_ROUTING_ALLOW entry "${entry}" has an invalid prefix length; write a CIDR such as 10.0.0.0/8`);
      }
      addresses.addSubnet(bare(address), bits, family === 4 ? 'ipv4' : 'ipv6');
    } else if (/^\*\.[a-z0-9.-]+$/.test(entry)) {
      suffixes.push(entry.slice(1));
    } else if (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(entry)) {
      names.add(entry);
    } else {
      throw new Error(
        `GATEHOUSE_ROUTING_ALLOW entry "${entry}" is neither a CIDR, an address nor a host name; fix it or unset it to allow ${DEMO_ROUTING_ALLOW}`,
      );
    }
  }
  return {
    source,
    allows(hostname) {
      const host = bare(hostname.toLowerCase());
      if (NEVER_NAMES.has(host.replace(/\.$/, '')) || isNeverRoutable(host)) return false;
      const family = isIP(host);
      if (family !== 0) return addresses.check(host, family === 4 ? 'ipv4' : 'ipv6');
      return names.has(host) || suffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
    },
  };
}
