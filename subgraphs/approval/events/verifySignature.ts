import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>`: the HMAC-SHA256 of the exact body bytes, keyed by the system's secret. */
export function signBody(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** True when `header` is the body's signature; compares in constant time. */
export function verifySignature(body: Buffer | string, header: string | undefined, secret: string): boolean {
  const match = header === undefined ? null : SIGNATURE.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(match[1], 'hex'), expected);
}
