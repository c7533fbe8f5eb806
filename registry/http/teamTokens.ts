import { createHmac, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { TokenRecords } from '../store/tokenRecords.ts';

/** What a team token lets its holder do: change these subgraphs, until it expires. */
export interface TeamGrant {
  /** The token's id (its `jti`), by which an admin revokes it. */
  id: string;
  team: string;
  subgraphs: string[];
  /** Coordinates (`Type`, `Type.field`) beyond a mall that an admin granted; usually none. */
  contributes: string[];
  expiresAt: Date;
}

/** Why a presented team token was refused, in a sentence for its holder. */
export class TeamTokenError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'TeamTokenError';
  }
}

export interface TeamTokens {
  issue(input: {
    team: string;
    subgraphs: string[];
    contributes?: string[];
    expiresInDays: number;
    issuedBy: string;
  }): Promise<{ id: string; token: string; expiresAt: Date }>;
  /** The grant in `token`; TeamTokenError when it is not a valid, unrevoked team token of this registry. */
  verify(token: string): Promise<TeamGrant>;
}

const ISSUER = 'gatehouse-registry';
const AUDIENCE = 'gatehouse-registry:change';

/**
 * Team tokens: JWTs (HS256) the registry issues to a team for the subgraphs
 * it owns, so one team cannot replace or delete another team's mall. The key
 * is derived from the admin token: changing GATEHOUSE_ADMIN_TOKEN revokes
 * every team token at once, and there is no second secret to configure.
 * Each token is also recorded by its id, so one can be revoked alone; a
 * token the records do not know is refused.
 */
export function createTeamTokens(adminToken: string, records: TokenRecords): TeamTokens {
  const key = createHmac('sha256', adminToken).update('gatehouse registry team tokens v1').digest();
  return {
    async issue({ team, subgraphs, contributes = [], expiresInDays, issuedBy }) {
      const id = `tt_${randomBytes(8).toString('hex')}`;
      const now = Math.floor(Date.now() / 1000);
      const expires = now + expiresInDays * 86_400;
      await records.forgetExpired(new Date());
      // Recorded before it exists: a token whose record failed is never handed out.
      await records.add({ id, team, subgraphs, contributes, issuedBy, issuedAt: new Date(now * 1000), expiresAt: new Date(expires * 1000) });
      const token = await new SignJWT({ subgraphs, contributes })
        .setJti(id)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(team)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(expires)
        .sign(key);
      return { id, token, expiresAt: new Date(expires * 1000) };
    },
    async verify(token) {
      const grant = await verifySignature(token, key);
      const record = await records.find(grant.id);
      if (!record)
        throw new TeamTokenError(403, `the team token ${grant.id} is not on this registry's records; ask an admin for a new one (gatehouse token issue)`);
      if (record.revokedAt) {
        throw new TeamTokenError(
          401,
          `the team token ${grant.id} was revoked at ${record.revokedAt.toISOString()}; ask an admin for a new one (gatehouse token issue)`,
        );
      }
      return grant;
    },
  };
}

async function verifySignature(token: string, key: Uint8Array): Promise<TeamGrant> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    const { sub, jti, exp, subgraphs, contributes = [] } = payload;
    if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || !isStrings(subgraphs) || !isStrings(contributes)) {
      throw new TeamTokenError(403, 'the team token lacks its id, team, subgraphs or expiry; ask an admin for a new one (gatehouse token issue)');
    }
    return { id: jti, team: sub, subgraphs, contributes, expiresAt: new Date(exp * 1000) };
  } catch (error) {
    if (error instanceof TeamTokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new TeamTokenError(401, 'the team token has expired; ask an admin for a new one (gatehouse token issue)');
    throw new TeamTokenError(
      403,
      'the token is neither the admin token nor a team token of this registry (a changed admin token revokes team tokens); ask an admin for one (gatehouse token issue)',
    );
  }
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((s) => typeof s === 'string');
}
