import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS for browsers on the listed origins only (`*`: any); others get no
 * `Access-Control-Allow-Origin`, so their browser withholds the answer.
 * Apollo Server's CSRF prevention stays on beside it: a request a page could
 * send without a preflight (GET, or a form's content type) needs a
 * non-simple header such as `apollo-require-preflight`.
 */
export function createCorsHandler(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && (any || allowed.has(origin))),
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
}
