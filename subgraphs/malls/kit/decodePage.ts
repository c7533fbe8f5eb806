/**
 * Turns a fetched page's bytes into text. Korean malls still serve EUC-KR,
 * often saying so only in a `<meta>` tag, so the charset is looked for in
 * order: byte-order mark, Content-Type header, `<meta>` in the first 1024
 * bytes, then UTF-8.
 */
import iconv from 'iconv-lite';

const SNIFF_BYTES = 1024;

export function decodePage(body: Buffer, contentType: string | null): string {
  return iconv.decode(body, pageCharset(body, contentType));
}

/** The charset the page is decoded with, as an iconv-lite name. */
export function pageCharset(body: Buffer, contentType: string | null): string {
  return bomCharset(body) ?? usable(charsetParam(contentType)) ?? usable(metaCharset(body)) ?? 'utf-8';
}

function bomCharset(body: Buffer): string | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return null;
}

function charsetParam(contentType: string | null): string | null {
  if (!contentType) return null;
  return (
    /;\s*charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;]+))/i
      .exec(contentType)
      ?.slice(1)
      .find((v) => v !== undefined) ?? null
  );
}

function metaCharset(body: Buffer): string | null {
  // ASCII-compatible charsets agree on the bytes of the <meta> tag itself.
  const head = body.subarray(0, SNIFF_BYTES).toString('latin1');
  const direct = /<meta[^>]*?\scharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
  if (direct) return direct;
  for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
    if (!/http-equiv\s*=\s*["']?\s*content-type/i.test(tag)) continue;
    const content = /content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const value = content?.slice(1).find((v) => v !== undefined);
    const charset = value ? charsetParam(value.includes(';') ? value : `;${value}`) : null;
    if (charset) return charset;
  }
  return null;
}

/** A label iconv-lite knows, mapped the way browsers map it; null otherwise. */
function usable(label: string | null): string | null {
  if (!label) return null;
  const name = label.trim().toLowerCase();
  // Browsers decode every EUC-KR label as windows-949 (a superset); iconv-lite's euc-kr already is.
  if (['euc-kr', 'euckr', 'ks_c_5601-1987', 'ksc5601', 'cp949', 'windows-949', 'x-windows-949'].includes(name)) return 'euc-kr';
  // A page cannot really be UTF-16 when its header says so but it has no BOM; browsers read it as UTF-8.
  if (name.startsWith('utf-16')) return 'utf-8';
  return iconv.encodingExists(name) ? name : null;
}
