import { decodePage, pageCharset } from '../../subgraphs/malls/kit/decodePage.ts';

export interface FetchedHtml {
  /** Where the page ended up after redirects; its links resolve against this. */
  url: string;
  html: string;
  /** The iconv-lite name the page was decoded with. */
  charset: string;
}

/** A scaffold reads two pages at most; anything bigger is not a search page. */
const MAX_BYTES = 5 * 1024 * 1024;

/** One HTML page, decoded in its own charset; throws a one-sentence Error otherwise. */
export async function fetchHtml(url: string, timeoutMs: number): Promise<FetchedHtml> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/html' } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new Error(`${url} could not be reached (${cause ?? (error as Error).message})`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${url} answered ${response.status}`);
  }
  const contentType = response.headers.get('content-type');
  if (contentType && !/html/i.test(contentType)) {
    await response.body?.cancel();
    throw new Error(`${url} is not an HTML page (${contentType})`);
  }
  if (Number(response.headers.get('content-length') ?? 0) > MAX_BYTES) {
    await response.body?.cancel();
    throw new Error(`${url} is larger than ${MAX_BYTES} bytes`);
  }
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > MAX_BYTES) throw new Error(`${url} is larger than ${MAX_BYTES} bytes`);
  return { url: response.url || url, html: decodePage(body, contentType), charset: pageCharset(body, contentType) };
}
