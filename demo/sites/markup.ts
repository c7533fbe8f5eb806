/** Small helpers every demo mall renderer shares: escaping, prices, query strings in either charset. */
import iconv from 'iconv-lite';

export type Charset = 'utf-8' | 'euc-kr';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** `1290000` → `1,290,000`. */
export function formatWon(price: number): string {
  return price.toLocaleString('en-US');
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** Percent-encodes text as its bytes in the charset, as a browser on that page would submit a form. */
export function percentEncode(text: string, charset: Charset): string {
  if (charset === 'utf-8') return encodeURIComponent(text);
  let out = '';
  for (const byte of iconv.encode(text, 'euc-kr')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Reads one query parameter from the raw query string, decoding the
 * percent-encoded bytes in the site's charset (URLSearchParams knows only UTF-8).
 */
export function queryParam(rawQuery: string, name: string, charset: Charset): string | null {
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    return iconv.decode(percentDecode(value.replace(/\+/g, ' ')), charset);
  }
  return null;
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      // Raw non-ASCII in a URL is not valid, but take it as UTF-8 rather than fail.
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/**
 * Turns characters EUC-KR cannot represent into numeric references, so an
 * echoed keyword such as an emoji survives instead of becoming `?`.
 */
export function eucKrSafe(html: string): string {
  return html.replace(/[^\p{ASCII}]/gu, (char) => {
    let safe = eucKrChars.get(char);
    if (safe === undefined) {
      safe = iconv.decode(iconv.encode(char, 'euc-kr'), 'euc-kr') === char ? char : `&#${char.codePointAt(0) ?? 63};`;
      if (eucKrChars.size < 10_000) eucKrChars.set(char, safe);
    }
    return safe;
  });
}

const eucKrChars = new Map<string, string>();

export function encodeBody(html: string, charset: Charset): Buffer {
  return charset === 'euc-kr' ? iconv.encode(eucKrSafe(html), 'euc-kr') : Buffer.from(html, 'utf8');
}

/** A 1×1 grey GIF for every product image. */
export const PLACEHOLDER_GIF = Buffer.from('R0lGODlhAQABAIAAAMzMzAAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
