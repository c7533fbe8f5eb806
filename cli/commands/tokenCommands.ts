import { UsageError } from '../cliError.ts';
import { expectOk, type RegistryClient } from '../registryClient.ts';

export interface TokenFlags {
  team?: string;
  subgraphs: string[];
  /** Coordinates beyond a mall (`Type`, `Type.field`) the team may contribute. */
  contributes: string[];
  expiresInDays?: string;
}

interface TokenSummary {
  id: string;
  team: string;
  subgraphs: string[];
  issuedBy: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** `gatehouse token issue|list|revoke`: team tokens (all need the admin token). */
export async function runTokenCommand(
  action: string | undefined,
  id: string | undefined,
  flags: TokenFlags,
  registry: RegistryClient,
  print: (line: string) => void,
): Promise<void> {
  switch (action) {
    case 'issue':
      return issue(flags, registry, print);
    case 'list': {
      const tokens = expectOk(await registry.listTokens()).body.tokens as TokenSummary[];
      if (tokens.length === 0) return print('no team tokens in use');
      for (const token of tokens) print(`${token.id}  team ${token.team}  ${token.subgraphs.join(',')}  until ${token.expiresAt}  issued by ${token.issuedBy}`);
      return;
    }
    case 'revoke': {
      if (!id) throw new UsageError('say which token: gatehouse token revoke ID (gatehouse token list shows them)');
      const token = expectOk(await registry.revokeToken(id)).body as unknown as TokenSummary;
      return print(`${token.id} of team ${token.team} revoked at ${token.revokedAt}; it changes nothing any more`);
    }
    default:
      throw new UsageError(action ? `unknown token command "${action}"` : 'say what to do: gatehouse token issue|list|revoke');
  }
}

async function issue(flags: TokenFlags, registry: RegistryClient, print: (line: string) => void): Promise<void> {
  if (!flags.team) throw new UsageError('--team is required');
  if (flags.subgraphs.length === 0) throw new UsageError('name at least one --subgraph the team may change');
  let expiresInDays: number | undefined;
  if (flags.expiresInDays !== undefined) {
    expiresInDays = Number(flags.expiresInDays);
    if (!Number.isInteger(expiresInDays)) throw new UsageError(`--expires-in-days must be a whole number, not "${flags.expiresInDays}"`);
  }
  const { body } = expectOk(await registry.issueToken({ team: flags.team, subgraphs: flags.subgraphs, contributes: flags.contributes, expiresInDays }));
  // The token alone on the first line, so scripts can take it with `head -1`.
  print(String(body.token));
  print(
    `team ${String(body.team)} may change ${(body.subgraphs as string[]).join(', ')}${contributed(body.contributes)} until ${String(body.expiresAt)}; give it to them as GATEHOUSE_TOKEN (id ${String(body.id)}, for gatehouse token revoke)`,
  );
}

/** A mall team's token says nothing more; a grant is worth seeing. */
function contributed(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? ` (a mall, plus ${value.join(', ')})` : ' (its own mall only)';
}
