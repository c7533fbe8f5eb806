import { UsageError } from '../cliError.ts';
import { expectOk, type RegistryClient } from '../registryClient.ts';

export interface TokenFlags {
  team?: string;
  subgraphs: string[];
  expiresInDays?: string;
}

/** `gatehouse token issue`: a team token for the subgraphs a team owns (needs the admin token). */
export async function runTokenCommand(action: string | undefined, flags: TokenFlags, registry: RegistryClient, print: (line: string) => void): Promise<void> {
  if (action !== 'issue') throw new UsageError(action ? `unknown token command "${action}"` : 'say what to do: gatehouse token issue');
  if (!flags.team) throw new UsageError('--team is required');
  if (flags.subgraphs.length === 0) throw new UsageError('name at least one --subgraph the team may change');
  let expiresInDays: number | undefined;
  if (flags.expiresInDays !== undefined) {
    expiresInDays = Number(flags.expiresInDays);
    if (!Number.isInteger(expiresInDays)) throw new UsageError(`--expires-in-days must be a whole number, not "${flags.expiresInDays}"`);
  }
  const { body } = expectOk(await registry.issueToken({ team: flags.team, subgraphs: flags.subgraphs, expiresInDays }));
  // The token alone on the first line, so scripts can take it with `head -1`.
  print(String(body.token));
  print(`team ${String(body.team)} may change ${(body.subgraphs as string[]).join(', ')} until ${String(body.expiresAt)}; give it to them as GATEHOUSE_TOKEN`);
}
