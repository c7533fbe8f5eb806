import type { Request, RequestHandler, Response } from 'express';
import { normalizeOperationId, operationId } from '../../lib/operations/operationId.ts';
import type { ApqStore } from './createApqStore.ts';
import type { OperationSource } from './createOperationSource.ts';

/** Apollo's client-identification header, as the rate limits read it. */
const CLIENT_NAME_HEADER = 'apollographql-client-name';
const UNNAMED = '(unnamed)';

export interface PersistedOperationsOptions {
  /** Operations of published manifests; null when the gateway follows no registry. */
  manifests: OperationSource | null;
  /** APQ entries; null when APQ is off. */
  apq: ApqStore | null;
  /** Client names allowed free-form operations (and APQ registration); `*`: every client. */
  freeformClients: readonly string[];
}

/** The client a request names in `apollographql-client-name`, or "(unnamed)". */
export function clientNameOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && header.trim() !== '' ? header.trim().slice(0, 100) : UNNAMED;
}

/** The fields of a GraphQL-over-HTTP request this handler reads, from a POST body or a GET's query string. */
interface OperationFields {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

/**
 * Trusted documents at the edge, before Apollo Server sees the request: an
 * id (`extensions.persistedQuery.sha256Hash`, Apollo's, or `documentId`, the
 * GraphQL-over-HTTP draft's) is replaced by its operation from a published
 * manifest or, where APQ is on, a registered hash; an id that names nothing
 * is PERSISTED_QUERY_NOT_FOUND (200, as APQ clients expect, so they re-send
 * with the query), a query whose sha256 is not the id sent is
 * PERSISTED_QUERY_HASH_MISMATCH. An operation sent as text runs only for a
 * client allowed free-form operations, or when its text is a manifest's;
 * otherwise PERSISTED_QUERY_ID_REQUIRED.
 */
export function createPersistedOperations(options: PersistedOperationsOptions): RequestHandler {
  const everyone = options.freeformClients.includes('*');
  const allowed = new Set(options.freeformClients);
  const mayFreeform = (client: string) => everyone || allowed.has(client);

  return async (req, res, next) => {
    const fields = readFields(req);
    if (!fields) return next();
    const client = clientNameOf(req.headers[CLIENT_NAME_HEADER]);
    const rawId = typeof fields.documentId === 'string' ? fields.documentId : persistedHashOf(fields.extensions);
    const query = typeof fields.query === 'string' && fields.query !== '' ? fields.query : undefined;
    if (rawId === undefined) {
      if (query === undefined || mayFreeform(client) || options.manifests?.get(operationId(query)) !== undefined) return next();
      return refuse(
        res,
        400,
        'PERSISTED_QUERY_ID_REQUIRED',
        `client "${client}" may only send operations from a published manifest, by id (extensions.persistedQuery.sha256Hash or documentId); publish it with gatehouse operations publish, or allow the client in GATEWAY_FREEFORM_CLIENTS`,
      );
    }
    const id = normalizeOperationId(rawId);
    if (id === null)
      return refuse(
        res,
        400,
        'PERSISTED_QUERY_ID_INVALID',
        'a persisted operation id is the sha256 of the operation as 64 hex digits (optionally prefixed "sha256:")',
      );
    const trusted = options.manifests?.get(id);
    if (query !== undefined) {
      const actual = operationId(query);
      if (actual !== id)
        return refuse(
          res,
          400,
          'PERSISTED_QUERY_HASH_MISMATCH',
          `the query's sha256 is ${actual}, not the id sent (${id}); send the hash of exactly the query's text`,
        );
      if (trusted === undefined) {
        if (!mayFreeform(client))
          return refuse(
            res,
            400,
            'PERSISTED_QUERY_ID_REQUIRED',
            `operation ${id} is in no published manifest, and client "${client}" may not register or send others; publish it with gatehouse operations publish`,
          );
        await options.apq?.set(id, query);
      }
      return pass(req, next, query);
    }
    if (trusted !== undefined) return pass(req, next, trusted);
    const registered = options.apq && mayFreeform(client) ? await options.apq.get(id) : undefined;
    if (registered !== undefined) return pass(req, next, registered);
    refuse(
      res,
      200,
      'PERSISTED_QUERY_NOT_FOUND',
      `no operation with id ${id} is in a published manifest${options.apq ? ' or registered' : ''}; publish it with gatehouse operations publish${options.apq ? ', or send the query with its hash to register it' : ''}`,
    );
  };
}

function persistedHashOf(extensions: unknown): string | undefined {
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

/** A POST's JSON body, or a GET's query string with `extensions` parsed; null for anything else (Apollo answers it). */
function readFields(req: Request): OperationFields | null {
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

/** Hands Apollo Server the operation's text, the id and its extension gone (Apollo's own APQ stays off). */
function pass(req: Request, next: () => void, query: string): void {
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
  next();
}

function withoutPersistedQuery(extensions: unknown): unknown {
  if (typeof extensions !== 'object' || extensions === null) return extensions;
  const { persistedQuery: _persisted, ...rest } = extensions as Record<string, unknown>;
  return rest;
}

function refuse(res: Response, status: number, code: string, message: string): void {
  // A miss must not be cached by a CDN in front of GET requests.
  res
    .status(status)
    .set('cache-control', 'private, no-cache, must-revalidate')
    .json({ errors: [{ message, extensions: { code } }] });
}
