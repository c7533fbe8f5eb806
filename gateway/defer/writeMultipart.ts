import type { ServerResponse } from 'node:http';

/** Apollo Client's (and Apollo Server's) boundary: `---`, closed with `-----`. */
export const MULTIPART_CONTENT_TYPE = 'multipart/mixed; boundary="-"; deferSpec=20220824';
const PART_HEADER = 'content-type: application/json; charset=utf-8\r\n\r\n';

/**
 * Writes a stream of JSON payloads as multipart/mixed. Each part is followed
 * at once by its boundary (the closing one after the last): Apollo Client
 * acts on a part only when it sees the boundary after it, so a boundary
 * written before each part would hold every payload back until the next.
 * Resolves false when the client left before the end.
 */
export async function writeMultipart(res: ServerResponse, first: object, rest: AsyncIterable<{ hasNext: boolean }>): Promise<boolean> {
  res.writeHead(200, { 'content-type': MULTIPART_CONTENT_TYPE, 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  if (!(await write(res, `\r\n---\r\n${part(first, (first as { hasNext?: boolean }).hasNext !== false)}`))) return false;
  for await (const payload of rest) {
    if (!(await write(res, part(payload, payload.hasNext)))) return false;
  }
  res.end();
  return true;
}

function part(payload: object, more: boolean): string {
  return `${PART_HEADER}${JSON.stringify(payload)}\r\n---${more ? '' : '--'}\r\n`;
}

/** Writes and waits for the socket to drain when it is full; false once the client is gone. */
async function write(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(chunk)) return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
