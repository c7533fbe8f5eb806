import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import { errorMessage, type Logger } from '../../lib/log.ts';
import type { ChangeOutcome, ChangeRequest, Registry } from '../createRegistry.ts';
import { supergraphId } from '../../composition/supergraphId.ts';
import { actorOf, createChangeRights, type Actor } from './changeRights.ts';
import type { TokenRecords } from '../store/tokenRecords.ts';
import { useRegistryMetrics } from '../metrics/registryMetrics.ts';
import { createTeamTokens } from './teamTokens.ts';
import { useTokenRoutes, userOf } from './tokenRoutes.ts';
import { checkRoutingUrl, checkSdl, checkSubgraphName, MAX_SDL_BYTES } from './validateSubgraphInput.ts';
import { probeSubgraph } from '../evaluate/probeSubgraph.ts';
import type { RoutingAllowlist } from './routingAllowlist.ts';
import type { RefusalStore } from '../store/refusalStore.ts';

/** Room for one largest SDL, JSON escaping included. */
const BODY_LIMIT = 2 * MAX_SDL_BYTES + 64 * 1024;

/**
 * The registry's HTTP API. Reads are open (gateways poll them); every change,
 * `check` (a dry run) included, needs the admin token or a team token that
 * names the subgraph; only the admin token issues team tokens.
 *   GET    /v1/supergraph            the newest supergraph (ETag = revision)
 *   GET    /v1/subgraphs             every published subgraph
 *   GET    /v1/subgraphs/:name       one, with its SDL and history
 *   PUT    /v1/subgraphs/:name       publish { routingUrl, sdl, allowBreaking?, dryRun? }
 *   DELETE /v1/subgraphs/:name       delete  (?allowBreaking=true&dryRun=true)
 *   POST|GET /v1/tokens, DELETE /v1/tokens/:id   team tokens (tokenRoutes.ts)
 */
export function useRegistryRoutes(app: Express, options: RegistryRouteOptions): void {
  const { registry, log } = options;
  const teamTokens = createTeamTokens(options.adminToken, options.tokens);
  const { requireAdmin, requireChangeRight } = createChangeRights(options.adminToken, teamTokens);

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  const changes: ChangeRoutes = { registry, log, metrics: useRegistryMetrics(app, registry), keepRefusal: createRefusalKeeper(options.refusals, log) };
  useReadRoutes(app, registry, options.history);
  app.put('/v1/subgraphs/:name', requireChangeRight, express.json({ limit: BODY_LIMIT }), publishHandler(changes, options.routingAllowlist));
  app.delete('/v1/subgraphs/:name', requireChangeRight, deleteHandler(changes));
  useTokenRoutes(app, { teamTokens, records: options.tokens, requireAdmin, log });
  app.use(registryErrorHandler(log));
}

export interface RegistryRouteOptions {
  registry: Registry;
  adminToken: string;
  tokens: TokenRecords;
  log: Logger;
  history: (name: string) => Promise<unknown[]>;
  routingAllowlist?: RoutingAllowlist;
  refusals?: RefusalStore;
}

type Refused = Extract<ChangeOutcome, { status: 'refused' }>;
type KeepRefusal = (action: 'publish' | 'delete', name: string, request: ChangeRequest, outcome: ChangeOutcome) => Promise<void>;

interface ChangeRoutes {
  registry: Registry;
  log: Logger;
  metrics: ReturnType<typeof useRegistryMetrics>;
  keepRefusal: KeepRefusal;
}

/** Refused changes are kept for the console (registry/console/); a dry run (`check`) only asks. Never rejects. */
function createRefusalKeeper(refusals: RefusalStore | undefined, log: Logger): KeepRefusal {
  return async (action, name, request, outcome) => {
    if (outcome.status !== 'refused' || request.dryRun || !refusals) return;
    await refusals
      .record({ action, name, by: request.by, at: new Date(), reason: outcome.reason, errors: outcome.errors })
      .catch((error: unknown) => log.warn(`could not keep a refused ${action} of ${name} for the console: ${errorMessage(error)}`));
  };
}

/** What gateways and people read: open to all. */
function useReadRoutes(app: Express, registry: Registry, history: (name: string) => Promise<unknown[]>): void {
  app.get('/v1/supergraph', async (req, res) => {
    const latest = await registry.latest();
    if (!latest) return void res.status(503).json({ error: 'the registry has no supergraph yet; publish a subgraph first' });
    const etag = `"${latest.revision}"`;
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) return void res.status(304).end();
    res.json({ revision: latest.revision, id: supergraphId(latest.supergraphSdl), supergraphSdl: latest.supergraphSdl });
  });

  app.get('/v1/subgraphs', async (_req, res) => {
    const latest = await registry.latest();
    res.json({
      revision: latest?.revision ?? 0,
      subgraphs: (latest?.subgraphs ?? []).map(({ sdl: _sdl, ...summary }) => summary),
    });
  });

  app.get('/v1/subgraphs/:name', async (req, res) => {
    const name = String(req.params.name);
    const subgraph = (await registry.latest())?.subgraphs.find((s) => s.name === name);
    const found = await history(name);
    if (!subgraph && found.length === 0) return void res.status(404).json({ error: `no subgraph named "${name}" has been published` });
    res.json({ name, current: subgraph ?? null, history: found });
  });
}

/** PUT /v1/subgraphs/:name: input checks, the publish limits, a probe of the service, then the registry's verdict. */
function publishHandler({ registry, log, metrics, keepRefusal }: ChangeRoutes, routingAllowlist: RoutingAllowlist | undefined): RequestHandler {
  const refuse = async (name: string, request: ChangeRequest, refused: Refused) => {
    metrics.change('publish', refused);
    await keepRefusal('publish', name, request, refused);
  };
  return async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = checkSubgraphName(String(req.params.name));
    const url = checkRoutingUrl(body.routingUrl, routingAllowlist);
    const sdl = checkSdl(body.sdl);
    for (const checked of [name, url, sdl]) if (!checked.ok) return void res.status(checked.status ?? 400).json({ error: checked.error });
    if (!name.ok || !url.ok || !sdl.ok) return;
    const request = changeRequest(req, body, actorOf(res));
    // Before anything reads the SDL here or fetches the service: the limits bound what the rest may cost.
    const overLimit = await registry.checkLimits({ name: name.value, url: url.value, sdl: sdl.value });
    if (overLimit) {
      const refused: Refused = { status: 'refused', reason: 'limits', errors: [overLimit] };
      await refuse(name.value, request, refused);
      return void reply(res, refused);
    }
    // The service must already serve what is published, so a gateway never switches to a URL that cannot answer.
    const probed = await probeSubgraph(url.value, sdl.value);
    if (probed) {
      await refuse(name.value, request, { status: 'refused', reason: probed.reason, errors: probed.details });
      return void res.status(422).json({ error: probed.error, reason: probed.reason, errors: probed.details });
    }
    const outcome = await registry.publish({ name: name.value, url: url.value, sdl: sdl.value }, request);
    metrics.change('publish', outcome);
    await keepRefusal('publish', name.value, request, outcome);
    reply(res, outcome);
    if (outcome.status === 'published') log.info(`revision ${outcome.revision}: ${name.value} published by ${request.by}`);
  };
}

/** DELETE /v1/subgraphs/:name (?allowBreaking=true&dryRun=true). */
function deleteHandler({ registry, log, metrics, keepRefusal }: ChangeRoutes): RequestHandler {
  return async (req, res) => {
    const name = checkSubgraphName(String(req.params.name));
    if (!name.ok) return void res.status(400).json({ error: name.error });
    const request = changeRequest(req, req.query, actorOf(res));
    const outcome = await registry.remove(name.value, request);
    metrics.change('delete', outcome);
    await keepRefusal('delete', name.value, request, outcome);
    reply(res, outcome);
    if (outcome.status === 'deleted') log.info(`revision ${outcome.revision}: ${name.value} deleted by ${request.by}`);
  };
}

/** Bodies too large or not JSON get a 4xx saying so; anything else a 500 naming what failed. */
function registryErrorHandler(log: Logger): ErrorRequestHandler {
  return (error: { status?: number; type?: string; limit?: number }, _req, res, _next) => {
    if (error.type === 'entity.too.large') {
      return void res
        .status(413)
        .json({ error: `request body is over ${error.limit ?? BODY_LIMIT} bytes; a subgraph schema may be at most ${MAX_SDL_BYTES} bytes` });
    }
    if (error.type === 'entity.parse.failed') return void res.status(400).json({ error: 'request body is not valid JSON' });
    log.error(`registry request failed: ${errorMessage(error)}`);
    res.status(500).json({ error: `the registry failed: ${errorMessage(error)}` });
  };
}

/** Who a change is recorded as: the team its token proves, with the person it names, or the admin. */
function changeRequest(req: Request, fields: Record<string, unknown>, actor: Actor): ChangeRequest {
  const user = userOf(req);
  return {
    by: actor.kind === 'team' ? `team ${actor.team}${user ? ` (${user})` : ''}` : (user ?? 'admin'),
    scope: actor.kind === 'team' ? { kind: 'team', team: actor.team, contributes: actor.contributes } : { kind: 'admin' },
    allowBreaking: flag(fields.allowBreaking),
    dryRun: flag(fields.dryRun),
  };
}

function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1';
}

const STATUS: Record<'composition' | 'breaking' | 'ownership' | 'unknown-subgraph' | 'unreachable' | 'schema-mismatch' | 'limits', number> = {
  composition: 422,
  breaking: 409,
  ownership: 403,
  'unknown-subgraph': 404,
  unreachable: 422,
  'schema-mismatch': 422,
  limits: 422,
};

function reply(res: Response, outcome: ChangeOutcome): void {
  if (outcome.status !== 'refused') return void res.json(outcome);
  const error =
    outcome.reason === 'composition'
      ? `refused: the subgraphs would not compose (${outcome.errors.length} error${outcome.errors.length === 1 ? '' : 's'})`
      : outcome.reason === 'breaking'
        ? 'refused: this would break existing clients; fix it or pass allowBreaking'
        : outcome.reason === 'ownership'
          ? `refused: ${outcome.errors[0]!}${outcome.errors.length > 1 ? ` (and ${outcome.errors.length - 1} more)` : ''}`
          : outcome.errors[0]!;
  res.status(STATUS[outcome.reason]).json({ error, reason: outcome.reason, errors: outcome.errors });
}
