/**
 * Internal network addresses as drivers and HTTP clients write them:
 * URLs, IPv4 with or without a port, bracketed or `::` IPv6, and `host:port`
 * (a name starting with a letter, so times such as 06:00:00 are left alone).
 */
const ADDRESS = new RegExp(
  [
    String.raw`\b[a-z][a-z0-9+.-]*://[^\s"'<>()]+`,
    String.raw`\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b`,
    String.raw`\[[0-9a-f:.]+\](?::\d{1,5})?`,
    String.raw`(?:\b[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?::(?:[0-9a-f]{1,4}:)*[0-9a-f]{1,4}\b`,
    String.raw`\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*:\d{1,5}\b`,
  ].join('|'),
  'gi',
);

export const WITHHELD = '(address withheld)';

/** The message with every internal address replaced; a client has no use for them. */
export function redactAddresses(message: string): string {
  return message.replace(ADDRESS, WITHHELD);
}
