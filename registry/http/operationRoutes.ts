import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { errorMessage, type Logger } from '../../lib/log.ts';
import { operationId } from '../../lib/operations/operationId.ts';
import type { ChangeEvaluator } from '../evaluate/createChangeEvaluator.ts';
import type { Registry } from '../createRegistry.ts';
import { MAX_OPERATION_BYTES, parseManifest } from '../operations/parseManifest.ts';
import type { OperationStore, UsageEntry } from '../store/operationStore.ts';
import { userOf } from './tokenRoutes.ts';

export interface OperationRouteOptions {
  registry: Registry;
  store: OperationStore;
  evaluator: ChangeEvaluator;
  /** Admin only: publishing and deleting manifests. */
  requireAdmin: RequestHandler;
  log: Logger;
}

/** Room for 5,000 operations of a usual size (a manifest of 300 operations is about 300 KB). */
const MANIFEST_BODY_LIMIT = 8 * 1024 * 1024;
/** Most distinct operations one gateway report may carry. */
const MAX_USAGE_ENTRIES = 1000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;

/**
 * Trusted documents and usage:
 *   PUT    /v1/manifests/:client/:version   publish a persisted query manifest (admin); every operation must validate
 *   GET    /v1/manifests                    the published manifests, without their operations
 *   DELETE /v1/manifests/:client/:version   retire one (admin)
 *   GET    /v1/operations                   every published operation { id, body }, ETag'd, for gateways
 *   POST   /v1/usage                        gateways' reports { operations: [{ id, name, body, client, count }] }
 */
export function useOperationRoutes(app: Express, options: OperationRouteOptions): void {
  const { store, log } = options;
  const router = express.Router();

  router.put('/v1/manifests/:client/:version', options.requireAdmin, express.json({ limit: MANIFEST_BODY_LIMIT }), async (req, res) => {
    const client = String(req.params.client);
    const version = String(req.params.version);
    if (!NAME.test(client) || !NAME.test(version)) {
      return void res.status(400).json({ error: 'a client name and version are 1 to 100 letters, digits and ._@+- (e.g. mobile-ios and 3.2.0)' });
    }
    const parsed = parseManifest(req.body);
    if (!parsed.ok) return void res.status(422).json({ error: `refused: ${parsed.error}`, errors: [parsed.error] });
    const latest = await options.registry.latest();
    if (!latest) return void res.status(503).json({ error: 'the registry has no supergraph yet to validate operations against; publish a subgraph first' });
    const invalid = await options.evaluator.validateOperations(latest.supergraphSdl, parsed.operations);
    if (invalid.length > 0) {
      return void res
        .status(422)
        .json({ error: `refused: ${invalid.length} operation(s) do not validate against revision ${latest.revision}; nothing was stored`, errors: invalid });
    }
    const by = userOf(req) ?? 'admin';
    await store.publish({ client, version, operations: parsed.operations, publishedBy: by, publishedAt: new Date() });
    log.info(`manifest ${client} ${version} published by ${by}: ${parsed.operations.length} operations`);
    res.status(201).json({ client, version, format: parsed.format, operations: parsed.operations.length, revision: latest.revision });
  });

  router.get('/v1/manifests', async (_req, res) => {
    res.json({ manifests: (await store.manifests()).map((m) => ({ ...m, publishedAt: m.publishedAt.toISOString() })) });
  });

  router.delete('/v1/manifests/:client/:version', options.requireAdmin, async (req, res) => {
    const client = String(req.params.client);
    const version = String(req.params.version);
    if (!(await store.remove(client, version)))
      return void res
        .status(404)
        .json({ error: `no manifest for ${client.slice(0, 100)} ${version.slice(0, 100)} is published; see gatehouse operations list` });
    log.info(`manifest ${client} ${version} deleted by ${userOf(req) ?? 'admin'}`);
    res.json({ client, version, status: 'deleted' });
  });

  router.get('/v1/operations', async (req, res) => {
    // The cheap question first: most polls find nothing new.
    const etag = await store.persistedEtag();
    if (req.headers['if-none-match'] === etag) return void res.status(304).setHeader('ETag', etag).end();
    const persisted = await store.persisted();
    res.setHeader('ETag', persisted.etag);
    res.json({ operations: persisted.operations });
  });

  router.post('/v1/usage', express.json({ limit: 4 * 1024 * 1024 }), async (req, res) => {
    const entries = checkUsage((req.body ?? {}) as Record<string, unknown>);
    if (typeof entries === 'string') return void res.status(400).json({ error: entries });
    await store.recordUsage(entries);
    res.status(202).json({ recorded: entries.length });
  });

  router.use(((error: { type?: string; limit?: number }, _req, res, _next) => {
    if (error.type === 'entity.too.large')
      return void res.status(413).json({ error: `request body is over ${error.limit ?? MANIFEST_BODY_LIMIT} bytes; split the manifest` });
    if (error.type === 'entity.parse.failed') return void res.status(400).json({ error: 'request body is not valid JSON' });
    log.error(`operations request failed: ${errorMessage(error)}`);
    res.status(500).json({ error: 'the registry failed to handle this operations request; see its log' });
  }) as ErrorRequestHandler);
  app.use(router);
}

/** A gateway's usage report, each entry checked (its id must be its body's sha256); a sentence when it is malformed. */
function checkUsage(body: Record<string, unknown>): UsageEntry[] | string {
  if (!Array.isArray(body.operations)) return 'a usage report is { operations: [{ id, name, body, client, count }] }';
  if (body.operations.length > MAX_USAGE_ENTRIES) return `a usage report may carry at most ${MAX_USAGE_ENTRIES} operations; send it in parts`;
  const entries: UsageEntry[] = [];
  for (const raw of body.operations as unknown[]) {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { id, name, client, count } = entry;
    const text = entry.body;
    if (typeof text !== 'string' || text.length === 0 || Buffer.byteLength(text) > MAX_OPERATION_BYTES)
      return `each reported operation needs a body of at most ${MAX_OPERATION_BYTES} bytes`;
    if (id !== operationId(text)) return "a reported operation's id is not the sha256 of its body";
    if (typeof client !== 'string' || client.length === 0 || client.length > 100) return 'each reported operation needs a client name of 1 to 100 characters';
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1e9) return 'each reported operation needs a positive whole count';
    if (name !== null && name !== undefined && (typeof name !== 'string' || name.length > 200))
      return "a reported operation's name is a string of at most 200 characters, or null";
    entries.push({ id, name: typeof name === 'string' ? name : null, body: text, client, count });
  }
  return entries;
}
