import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../log.ts';
import { redactAddresses } from './redactAddresses.ts';

/** Apollo Server's `formatError`: what a client sees of one error. */
export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface ErrorMaskerOptions {
  /** Whose log has the original, in the client's message: `subgraph approval`, `the gateway`. */
  where: string;
  log: Logger;
  /** Codes nobody sets on purpose; default INTERNAL_SERVER_ERROR. An error without a code is unexpected too. */
  unexpectedCodes?: readonly string[];
  /** Unexpected errors passed on as they are (the gateway: those a subgraph has already masked). */
  passThrough?: (formatted: GraphQLFormattedError) => boolean;
}

const MASKED = /^internal error in [^;]{1,200}; see (?:its log|the log of [^(]{1,200}) \(id [0-9a-f]{8}\)$/;

/** Whether a message is one this masker (here or in a subgraph) wrote. */
export function isMaskedMessage(message: string): boolean {
  return MASKED.test(message);
}

/**
 * Masks errors nobody meant a client to read. An error raised on purpose
 * carries an `extensions.code` such as BAD_USER_INPUT or UNAUTHENTICATED and
 * passes, less any internal address; anything else (a driver's
 * "connect ECONNREFUSED 127.0.0.1:4027", a bug) becomes one sentence with a
 * short id, and the original is logged under that id.
 */
export function createErrorMasker(options: ErrorMaskerOptions): ErrorFormatter {
  const unexpectedCodes = new Set(options.unexpectedCodes ?? ['INTERNAL_SERVER_ERROR']);
  return (formatted, error) => {
    const code = formatted.extensions?.code;
    const deliberate = typeof code === 'string' && !unexpectedCodes.has(code);
    if (deliberate || options.passThrough?.(formatted)) {
      const message = redactAddresses(formatted.message);
      return message === formatted.message ? formatted : { ...formatted, message };
    }
    const id = randomUUID().slice(0, 8);
    const serviceName = formatted.extensions?.serviceName;
    const source = typeof serviceName === 'string' ? `subgraph ${serviceName}` : options.where;
    const at = formatted.path ? ` at ${formatted.path.join('.')}` : '';
    options.log.error(
      `unexpected error${at}${source === options.where ? '' : ` from ${source}`} (id ${id}), masked for the client: ${describeError(originalOf(error), formatted.message)}`,
    );
    return {
      message: `internal error in ${source}; see ${source === options.where ? 'its log' : `the log of ${options.where}`} (id ${id})`,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(typeof serviceName === 'string' ? { serviceName } : {}) },
    };
  };
}

/** What was thrown, beneath the GraphQLError that graphql-js and Apollo wrap it in. */
function originalOf(error: unknown): unknown {
  const unwrapped = unwrapResolverError(error);
  const original = unwrapped instanceof Error ? (unwrapped as { originalError?: unknown }).originalError : undefined;
  return original instanceof Error ? original : unwrapped;
}

/** Name, message and the first cause, on one line; what the client would have read when nothing better was thrown. */
function describeError(error: unknown, shown: string): string {
  if (!(error instanceof Error)) return shown;
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`.replace(/\s*\n\s*/g, ' ');
}
