import compression from 'compression';
import type { RequestHandler } from 'express';

/** Streamed answers (incremental delivery, SSE) must reach the client part by part, not when a compressor fills. */
const STREAMED = /^(multipart\/mixed|text\/event-stream)/i;

/**
 * gzip or br for answers over 1 KB, as the client's Accept-Encoding prefers
 * (br first when equal); br at quality 4, the `compression` package's
 * default, which costs about as much CPU as gzip.
 */
export function createCompression(): RequestHandler {
  return compression({
    filter: (req, res) => !STREAMED.test(String(res.getHeader('content-type') ?? '')) && compression.filter(req, res),
  });
}
