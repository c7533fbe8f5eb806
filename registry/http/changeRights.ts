import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { TeamTokenError, type TeamTokens } from './teamTokens.ts';

/** The documented development token; set GATEHOUSE_ADMIN_TOKEN anywhere that matters. */
export const DEV_ADMIN_TOKEN = 'gatehouse-dev-admin-token';

/** Who is making a change, as the token proved it. */
export type Actor = { kind: 'admin' } | { kind: 'team'; team: string; contributes: string[] };

/** The actor a change handler runs for (set by requireChangeRight). */
export function actorOf(res: Response): Actor {
  return (res.locals.actor as Actor | undefined) ?? { kind: 'admin' };
}

/**
 * Authorization for the registry's changes. The admin token may do anything;
 * a team token (teamTokens.ts) may change only the subgraphs it names, and
 * then only within its scope (evaluate/checkOwnership.ts).
 */
export function createChangeRights(adminToken: string, teamTokens: TeamTokens) {
  const expected = digest(adminToken);
  // Hashing first makes the comparison constant-time whatever the lengths.
  const isAdmin = (presented: string) => timingSafeEqual(digest(presented), expected);
  const bearer = (header: string | undefined) => (header ? (/^Bearer (.+)$/i.exec(header)?.[1] ?? '') : null);

  /** Admin only: issuing team tokens. */
  const requireAdmin: RequestHandler = (req, res, next) => {
    const presented = bearer(req.headers.authorization);
    if (presented === null) return void res.status(401).json({ error: 'this needs the admin token: send "Authorization: Bearer <GATEHOUSE_ADMIN_TOKEN>"' });
    if (!isAdmin(presented)) return void res.status(403).json({ error: "only the admin token may do this; use the registry's GATEHOUSE_ADMIN_TOKEN" });
    res.locals.actor = { kind: 'admin' } satisfies Actor;
    next();
  };

  /** The admin token, or a team token that names the subgraph in `:name`. */
  const requireChangeRight: RequestHandler = async (req, res, next) => {
    const presented = bearer(req.headers.authorization);
    if (presented === null) {
      return void res.status(401).json({ error: 'this change needs a token: send "Authorization: Bearer <team token or GATEHOUSE_ADMIN_TOKEN>"' });
    }
    if (isAdmin(presented)) {
      res.locals.actor = { kind: 'admin' } satisfies Actor;
      return next();
    }
    try {
      const grant = await teamTokens.verify(presented);
      const name = String(req.params.name);
      if (!grant.subgraphs.includes(name)) {
        return void res
          .status(403)
          .json({ error: `team "${grant.team}" may change ${grant.subgraphs.join(', ')} only, not "${name.slice(0, 80)}"; ask an admin to widen its token` });
      }
      res.locals.actor = { kind: 'team', team: grant.team, contributes: grant.contributes } satisfies Actor;
      next();
    } catch (error) {
      if (!(error instanceof TeamTokenError)) return next(error);
      res.status(error.status).json({ error: error.message });
    }
  };

  return { requireAdmin, requireChangeRight };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
