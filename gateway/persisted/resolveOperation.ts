import { normalizeOperationId, operationId } from '../../lib/operations/operationId.ts';
import type { ApqStore } from './createApqStore.ts';
import type { OperationSource } from './createOperationSource.ts';

export interface PersistedOperationsOptions {
  /** Operations of published manifests; null when the gateway follows no registry. */
  manifests: OperationSource | null;
  /** APQ entries; null when APQ is off. */
  apq: ApqStore | null;
  /** Client names allowed free-form operations (and APQ registration); `*`: every client. */
  freeformClients: readonly string[];
}

/** The fields of a GraphQL request that name its operation: a POST body, a GET's query string or a graphql-ws subscribe payload. */
export interface OperationFields {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

/**
 * What to run: `query` is the operation's text when it came from a manifest
 * or APQ (the request named it by id), undefined when the request's own text
 * runs as sent. A refusal carries the HTTP status and code to answer with.
 */
export type OperationResolution = { ok: true; query?: string } | { ok: false; status: 200 | 400; code: PersistedRefusalCode; message: string };

export type PersistedRefusalCode = 'PERSISTED_QUERY_ID_REQUIRED' | 'PERSISTED_QUERY_ID_INVALID' | 'PERSISTED_QUERY_HASH_MISMATCH' | 'PERSISTED_QUERY_NOT_FOUND';

export type OperationResolver = (fields: OperationFields, client: string) => Promise<OperationResolution>;

/**
 * Trusted documents, whatever the transport: an id
 * (`extensions.persistedQuery.sha256Hash`, Apollo's, or `documentId`, the
 * GraphQL-over-HTTP draft's) resolves to its operation from a published
 * manifest or, where APQ is on, a registered hash; an id that names nothing
 * is PERSISTED_QUERY_NOT_FOUND (200 over HTTP, as APQ clients expect, so they
 * re-send with the query), a query whose sha256 is not the id sent is
 * PERSISTED_QUERY_HASH_MISMATCH. An operation sent as text runs only for a
 * client allowed free-form operations, or when its text is a manifest's;
 * otherwise PERSISTED_QUERY_ID_REQUIRED.
 */
export function createOperationResolver(options: PersistedOperationsOptions): OperationResolver {
  const everyone = options.freeformClients.includes('*');
  const allowed = new Set(options.freeformClients);
  const mayFreeform = (client: string) => everyone || allowed.has(client);

  return async (fields, client) => {
    const rawId = typeof fields.documentId === 'string' ? fields.documentId : persistedHashOf(fields.extensions);
    const query = typeof fields.query === 'string' && fields.query !== '' ? fields.query : undefined;
    if (rawId === undefined) {
      if (query === undefined || mayFreeform(client) || options.manifests?.get(operationId(query)) !== undefined) return { ok: true };
      return refusal(
        400,
        'PERSISTED_QUERY_ID_REQUIRED',
        `client "${client}" may only send operations from a published manifest, by id (extensions.persistedQuery.sha256Hash or documentId); publish it with gatehouse operations publish, or allow the client in GATEWAY_FREEFORM_CLIENTS`,
      );
    }
    const id = normalizeOperationId(rawId);
    if (id === null)
      return refusal(
        400,
        'PERSISTED_QUERY_ID_INVALID',
        'a persisted operation id is the sha256 of the operation as 64 hex digits (optionally prefixed "sha256:")',
      );
    const trusted = options.manifests?.get(id);
    if (query !== undefined) {
      const actual = operationId(query);
      if (actual !== id)
        return refusal(
          400,
          'PERSISTED_QUERY_HASH_MISMATCH',
          `the query's sha256 is ${actual}, not the id sent (${id}); send the hash of exactly the query's text`,
        );
      if (trusted === undefined) {
        if (!mayFreeform(client))
          return refusal(
            400,
            'PERSISTED_QUERY_ID_REQUIRED',
            `operation ${id} is in no published manifest, and client "${client}" may not register or send others; publish it with gatehouse operations publish`,
          );
        await options.apq?.set(id, query);
      }
      return { ok: true, query };
    }
    if (trusted !== undefined) return { ok: true, query: trusted };
    const registered = options.apq && mayFreeform(client) ? await options.apq.get(id) : undefined;
    if (registered !== undefined) return { ok: true, query: registered };
    return refusal(
      200,
      'PERSISTED_QUERY_NOT_FOUND',
      `no operation with id ${id} is in a published manifest${options.apq ? ' or registered' : ''}; publish it with gatehouse operations publish${options.apq ? ', or send the query with its hash to register it' : ''}`,
    );
  };
}

function refusal(status: 200 | 400, code: PersistedRefusalCode, message: string): OperationResolution {
  return { ok: false, status, code, message };
}

function persistedHashOf(extensions: unknown): string | undefined {
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

/** The extensions without Apollo's `persistedQuery`, once the id has been resolved (Apollo's own APQ stays off). */
export function withoutPersistedQuery(extensions: unknown): unknown {
  if (typeof extensions !== 'object' || extensions === null) return extensions;
  const { persistedQuery: _persisted, ...rest } = extensions as Record<string, unknown>;
  return rest;
}
