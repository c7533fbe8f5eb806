import { createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/** What a team token lets its holder do: change these subgraphs, until it expires. */
export interface TeamGrant {
  team: string;
  subgraphs: string[];
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
  issue(input: { team: string; subgraphs: string[]; expiresInDays: number }): Promise<{ token: string; expiresAt: Date }>;
  /** The grant in `token`; TeamTokenError when it is not a valid team token of this registry. */
  verify(token: string): Promise<TeamGrant>;
}

const ISSUER = 'gatehouse-registry';
const AUDIENCE = 'gatehouse-registry:change';

/**
 * Team tokens: JWTs (HS256) the registry issues to a team for the subgraphs
 * it owns, so one team cannot replace or delete another team's mall. The key
 * is derived from the admin token: changing GATEHOUSE_ADMIN_TOKEN revokes
 * every team token at once, and there is no second secret to configure.
 */
export function createTeamTokens(adminToken: string): TeamTokens {
  const key = createHmac('sha256', adminToken).update('gatehouse registry team tokens v1').digest();
  return {
    async issue({ team, subgraphs, expiresInDays }) {
      const now = Math.floor(Date.now() / 1000);
      const expires = now + expiresInDays * 86_400;
      const token = await new SignJWT({ subgraphs })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(team)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(expires)
        .sign(key);
      return { token, expiresAt: new Date(expires * 1000) };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
        const subgraphs = payload.subgraphs;
        if (typeof payload.sub !== 'string' || !Array.isArray(subgraphs) || !subgraphs.every((s) => typeof s === 'string') || typeof payload.exp !== 'number') {
          throw new TeamTokenError(403, 'the team token lacks its team, subgraphs or expiry; ask an admin for a new one (gatehouse token issue)');
        }
        return { team: payload.sub, subgraphs: subgraphs as string[], expiresAt: new Date(payload.exp * 1000) };
      } catch (error) {
        if (error instanceof TeamTokenError) throw error;
        if (error instanceof errors.JWTExpired) throw new TeamTokenError(401, 'the team token has expired; ask an admin for a new one (gatehouse token issue)');
        throw new TeamTokenError(403, 'the token is neither the admin token nor a team token of this registry (a changed admin token revokes team tokens); ask an admin for one (gatehouse token issue)');
      }
    },
  };
}
