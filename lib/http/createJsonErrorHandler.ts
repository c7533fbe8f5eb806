import type { ErrorRequestHandler } from 'express';
import { errorMessage, type Logger } from '../log.ts';

/**
 * Express's own handler answers an error with an HTML page that carries the
 * stack trace unless NODE_ENV is production. This one answers JSON in the
 * GraphQL error shape, with the status the error carries and no stack; a
 * server error is logged in full and reaches the client as "internal error".
 */
export function createJsonErrorHandler(log: Logger): ErrorRequestHandler {
  return (error: { status?: number; statusCode?: number; type?: string; expose?: boolean }, _req, res, _next) => {
    const status = error.status ?? error.statusCode ?? 500;
    const message =
      error.type === 'entity.too.large'
        ? 'request body is too large'
        : error.type === 'entity.parse.failed'
          ? 'request body is not valid JSON'
          : status < 500 && error.expose
            ? errorMessage(error).split('\n')[0]!
            : status < 500
              ? 'bad request'
              : 'internal error';
    if (status >= 500) log.error(`request failed: ${errorMessage(error)}`);
    if (res.headersSent) return void res.end();
    res
      .status(status)
      .json({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  };
}
