import express, { type Express, type Request } from 'express';
import type { Logger } from '../../lib/log.ts';
import type { TokenRecord, TokenRecords } from '../store/tokenRecords.ts';
import type { createChangeRights } from './changeRights.ts';
import type { TeamTokens } from './teamTokens.ts';
import { checkTokenId, checkTokenRequest } from './validateSubgraphInput.ts';

export interface TokenRouteOptions {
  teamTokens: TeamTokens;
  records: TokenRecords;
  requireAdmin: ReturnType<typeof createChangeRights>['requireAdmin'];
  log: Logger;
}

/**
 * Team tokens, admin only:
 *   POST   /v1/tokens        issue { team, subgraphs, contributes?, expiresInDays? } → the token, once
 *   GET    /v1/tokens        the tokens that still work (never the tokens themselves)
 *   DELETE /v1/tokens/:id    revoke one; every registry replica refuses it from then on
 */
export function useTokenRoutes(app: Express, { teamTokens, records, requireAdmin, log }: TokenRouteOptions): void {
  app.post('/v1/tokens', requireAdmin, express.json({ limit: 16 * 1024 }), async (req, res) => {
    const checked = checkTokenRequest((req.body ?? {}) as Record<string, unknown>);
    if (!checked.ok) return void res.status(400).json({ error: checked.error });
    const issuedBy = userOf(req) ?? 'admin';
    const { id, token, expiresAt } = await teamTokens.issue({ ...checked.value, issuedBy });
    log.info(`team token ${id} issued by ${issuedBy} to ${checked.value.team} for ${checked.value.subgraphs.join(', ')}, expiring ${expiresAt.toISOString()}`);
    res.status(201).json({
      id,
      token,
      team: checked.value.team,
      subgraphs: checked.value.subgraphs,
      contributes: checked.value.contributes,
      expiresAt: expiresAt.toISOString(),
    });
  });

  app.get('/v1/tokens', requireAdmin, async (_req, res) => {
    res.json({ tokens: (await records.active()).map(describe) });
  });

  app.delete('/v1/tokens/:id', requireAdmin, async (req, res) => {
    const id = checkTokenId(String(req.params.id));
    if (!id.ok) return void res.status(400).json({ error: id.error });
    const by = userOf(req) ?? 'admin';
    const record = await records.revoke(id.value, by);
    if (!record)
      return void res
        .status(404)
        .json({ error: `no team token ${id.value} was issued by this registry (or it expired and was forgotten); see gatehouse token list` });
    log.info(`team token ${record.id} of ${record.team} revoked by ${record.revokedBy ?? by}`);
    res.json(describe(record));
  });
}

/** The person the CLI names in X-Gatehouse-User, if any. */
export function userOf(req: Request): string | null {
  const header = req.headers['x-gatehouse-user'];
  return typeof header === 'string' && header.trim() ? header.trim().slice(0, 100) : null;
}

function describe(record: TokenRecord) {
  return {
    id: record.id,
    team: record.team,
    subgraphs: record.subgraphs,
    contributes: record.contributes ?? [],
    issuedBy: record.issuedBy,
    issuedAt: record.issuedAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
    revokedBy: record.revokedBy,
  };
}
