import type { Request, RequestHandler, Response } from 'express';
import {
  createOperationResolver,
  withoutPersistedQuery,
  type OperationFields,
  type OperationResolver,
  type PersistedOperationsOptions,
} from './resolveOperation.ts';

export type { PersistedOperationsOptions } from './resolveOperation.ts';

/** Apollo's client-identification header, as the rate limits read it. */
export const CLIENT_NAME_HEADER = 'apollographql-client-name';
const UNNAMED = '(unnamed)';

/** The client a request names in `apollographql-client-name`, or "(unnamed)". */
export function clientNameOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && header.trim() !== '' ? header.trim().slice(0, 100) : UNNAMED;
}

/**
 * Trusted documents at the HTTP edge, before Apollo Server sees the request
 * (resolveOperation.ts decides): an id becomes its operation's text, a
 * refusal is answered here with its status and code.
 */
export function createPersistedOperations(options: PersistedOperationsOptions | { resolve: OperationResolver }): RequestHandler {
  const resolve = 'resolve' in options ? options.resolve : createOperationResolver(options);
  return async (req, res, next) => {
    const fields = readOperationFields(req);
    if (!fields) return next();
    const resolution = await resolve(fields, clientNameOf(req.headers[CLIENT_NAME_HEADER]));
    if (!resolution.ok) return refuse(res, resolution.status, resolution.code, resolution.message);
    if (resolution.query !== undefined) useQuery(req, resolution.query);
    next();
  };
}

/** A POST's JSON body, or a GET's query string with `extensions` parsed; null for anything else (Apollo answers it). */
export function readOperationFields(req: Request): OperationFields | null {
  if (req.method === 'POST') return typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as OperationFields) : null;
  if (req.method !== 'GET') return null;
  const params = new URL(req.url, 'http://gateway').searchParams;
  let extensions: unknown;
  try {
    extensions = params.has('extensions') ? JSON.parse(params.get('extensions')!) : undefined;
  } catch {
    return null;
  }
  return { query: params.get('query') ?? undefined, documentId: params.get('documentId') ?? undefined, extensions };
}

/** Puts the operation's text in the request, the id and its extension gone, for whatever parses it next. */
export function useQuery(req: Request, query: string): void {
  if (req.method === 'POST') {
    const body = req.body as OperationFields & Record<string, unknown>;
    body.query = query;
    delete body.documentId;
    if (body.extensions !== undefined) body.extensions = withoutPersistedQuery(body.extensions);
  } else {
    const url = new URL(req.url, 'http://gateway');
    url.searchParams.set('query', query);
    url.searchParams.delete('documentId');
    const raw = url.searchParams.get('extensions');
    if (raw !== null) url.searchParams.set('extensions', JSON.stringify(withoutPersistedQuery(JSON.parse(raw) as unknown) ?? {}));
    req.url = `${url.pathname}${url.search}`;
  }
}

function refuse(res: Response, status: number, code: string, message: string): void {
  // A miss must not be cached by a CDN in front of GET requests.
  res
    .status(status)
    .set('cache-control', 'private, no-cache, must-revalidate')
    .json({ errors: [{ message, extensions: { code } }] });
}
