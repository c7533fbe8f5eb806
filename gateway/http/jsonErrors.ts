import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../lib/log.ts';

/** Body-parser failures (too large, not JSON) as GraphQL-shaped JSON, not an HTML page. */
export function jsonErrors(log: Logger): ErrorRequestHandler {
  // Four parameters: that is how Express tells an error handler.
  return (error: { status?: number; type?: string; message?: string }, _req, res, _next) => {
    const status = error.status ?? 500;
    const message =
      error.type === 'entity.too.large'
        ? 'request body is too large; send a smaller GraphQL document and variables'
        : error.type === 'entity.parse.failed'
          ? 'request body is not valid JSON'
          : 'internal error';
    if (status >= 500) log.error(`request failed: ${error.message ?? 'unknown error'}`);
    res.status(status).json({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
  };
}

/** Any route the gateway does not serve: JSON that says where GraphQL is, not Express's HTML page. */
export function jsonNotFound(): RequestHandler {
  return (req, res) => {
    res
      .status(404)
      .json({ errors: [{ message: `nothing is served at ${req.method} ${req.path}; GraphQL is at /graphql`, extensions: { code: 'NOT_FOUND' } }] });
  };
}
