import { describe, expect, it } from 'vitest';
import { createRoutingAllowlist, DEMO_ROUTING_ALLOW } from '../../registry/http/routingAllowlist.ts';
import { checkRoutingUrl } from '../../registry/http/validateSubgraphInput.ts';

const errorOf = (url: string, allow?: string) => {
  const checked = checkRoutingUrl(url, createRoutingAllowlist(allow));
  return checked.ok ? null : checked.error;
};

describe('routing URLs a publish may name', () => {
  it.each([
    [
      'the cloud metadata address',
      'http://169.254.169.254/latest/meta-data/',
      /points at 169\.254\.169\.254, which is not an allowed subgraph host; use a host on GATEHOUSE_ROUTING_ALLOW/,
    ],
    [
      'loopback written in hex',
      'http://0x7f000001:4011/graphql',
      /writes its host in a form that parses as 127\.0\.0\.1; write the host plainly \(e\.g\. http:\/\/127\.0\.0\.1:4011\/…\)/,
    ],
    ['loopback as one integer', 'http://2130706433/graphql', /parses as 127\.0\.0\.1/],
    ['loopback in octal', 'http://017700000001/graphql', /parses as 127\.0\.0\.1/],
    ['loopback shortened', 'http://127.1/graphql', /parses as 127\.0\.0\.1/],
    ['loopback percent-encoded', 'http://%31%32%37.0.0.1/graphql', /parses as 127\.0\.0\.1/],
    ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]/graphql', /parses as \[::ffff:7f00:1\]/],
    ['IPv4-mapped IPv6 written canonically', 'http://[::ffff:7f00:1]/graphql', /not an allowed subgraph host/],
    ['IPv6 link-local', 'http://[fe80::1]/graphql', /not an allowed subgraph host/],
    ['the unspecified address', 'http://0.0.0.0:4011/graphql', /not an allowed subgraph host/],
    ['a metadata host name', 'http://metadata.google.internal/computeMetadata/v1/', /not an allowed subgraph host/],
    ['a public address', 'http://8.8.8.8/graphql', /not an allowed subgraph host/],
    ['a host not on the list', 'http://rtevil.example.com/graphql', /points at rtevil\.example\.com, which is not an allowed subgraph host/],
  ])('refuses %s', (_case, url, message) => {
    expect(errorOf(url)).toMatch(message);
  });

  it.each([
    'http://127.0.0.1:4011/graphql',
    'http://localhost:4001/graphql',
    'https://10.1.2.3/graphql',
    'http://172.20.0.5:4011/graphql',
    'http://192.168.1.20:8080/graphql',
    'http://[::1]:4011/graphql',
    'http://[fd12:3456::1]/graphql',
  ])('accepts %s by default', (url) => {
    expect(errorOf(url)).toBeNull();
  });

  it('takes its hosts from GATEHOUSE_ROUTING_ALLOW: CIDRs, names and *.suffix wildcards', () => {
    const allow = '10.20.0.0/16,mall-minguk,*.svc.cluster.local';
    expect(errorOf('http://10.20.3.4/graphql', allow)).toBeNull();
    expect(errorOf('http://mall-minguk:4014/graphql', allow)).toBeNull();
    expect(errorOf('http://minguk.malls.svc.cluster.local/graphql', allow)).toBeNull();
    expect(errorOf('http://10.21.0.1/graphql', allow)).toMatch(/not an allowed subgraph host/);
    expect(errorOf('http://127.0.0.1:4011/graphql', allow)).toMatch(/not an allowed subgraph host/);
    expect(errorOf('http://svc.cluster.local/graphql', allow)).toMatch(/not an allowed subgraph host/);
  });

  it('never allows link-local or metadata hosts, whatever the list says', () => {
    const everything = '0.0.0.0/0,::/0,*.internal,metadata';
    expect(errorOf('http://8.8.8.8/graphql', everything)).toBeNull();
    expect(errorOf('http://169.254.169.254/', everything)).toMatch(/not an allowed subgraph host/);
    expect(errorOf('http://[fd00:ec2::254]/', everything)).toMatch(/not an allowed subgraph host/);
    expect(errorOf('http://[::ffff:a9fe:a9fe]/', everything)).toMatch(/not an allowed subgraph host/);
    expect(errorOf('http://metadata.google.internal/', everything)).toMatch(/not an allowed subgraph host/);
    expect(errorOf('http://metadata/', everything)).toMatch(/not an allowed subgraph host/);
  });

  it('refuses a malformed list with a clear error', () => {
    expect(() => createRoutingAllowlist('10.0.0.0/40')).toThrow(/GATEHOUSE_ROUTING_ALLOW entry "10\.0\.0\.0\/40" has an invalid prefix length/);
    expect(() => createRoutingAllowlist('http://x/')).toThrow(/is neither a CIDR, an address nor a host name/);
    expect(DEMO_ROUTING_ALLOW).toContain('127.0.0.0/8');
  });
});
