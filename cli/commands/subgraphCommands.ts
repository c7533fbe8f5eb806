import { CliError, UsageError } from '../cliError.ts';
import { expectOk, registryError, type RegistryClient, type RegistryReply } from '../registryClient.ts';
import { readSchema } from '../readSchema.ts';

export interface SubgraphFlags {
  name?: string;
  routingUrl?: string;
  schema?: string;
  introspect?: string;
  allowBreaking: boolean;
  dryRun: boolean;
}

type Print = (line: string) => void;

/** `gatehouse subgraph publish|check|list|show|delete`. */
export async function runSubgraphCommand(action: string | undefined, flags: SubgraphFlags, registry: RegistryClient, print: Print): Promise<void> {
  switch (action) {
    case 'publish':
    case 'check': {
      const name = required(flags.name, '--name');
      const sdl = await readSchema(flags);
      const routingUrl = flags.routingUrl ?? (action === 'check' ? await registeredUrl(registry, name) : undefined);
      if (!routingUrl) throw new UsageError('publish needs --routing-url, the URL the gateway sends this subgraph its queries at');
      const reply = await registry.publish(name, { routingUrl, sdl, allowBreaking: flags.allowBreaking, dryRun: action === 'check' || flags.dryRun });
      return report(reply, print, name);
    }
    case 'delete': {
      const name = required(flags.name, '--name');
      return report(await registry.remove(name, { allowBreaking: flags.allowBreaking, dryRun: flags.dryRun }), print, name);
    }
    case 'list': {
      const { body } = expectOk(await registry.list());
      const subgraphs = body.subgraphs as Array<{
        name: string;
        url: string;
        owner: string;
        kind: string;
        publishedBy: string;
        publishedAt: string;
        revision: number;
      }>;
      print(`revision ${String(body.revision)}: ${subgraphs.length} subgraphs`);
      for (const s of subgraphs)
        print(`${s.name.padEnd(16)} ${s.url.padEnd(40)} ${`${s.kind} of ${s.owner}`.padEnd(24)} r${s.revision} by ${s.publishedBy} at ${s.publishedAt}`);
      return;
    }
    case 'show': {
      const name = required(flags.name, '--name');
      const { body } = expectOk(await registry.show(name));
      const current = body.current as {
        url: string;
        sdl: string;
        owner: string;
        kind: string;
        publishedBy: string;
        publishedAt: string;
        revision: number;
      } | null;
      const history = body.history as Array<{ revision: number; action: string; by: string; at: string; url: string | null }>;
      print(
        current
          ? `${name}: ${current.kind} of ${current.owner} at ${current.url}, revision ${current.revision}, published by ${current.publishedBy} at ${current.publishedAt}`
          : `${name}: deleted`,
      );
      print('history:');
      for (const h of history) print(`  r${h.revision} ${h.action.padEnd(7)} by ${h.by} at ${h.at}${h.url ? ` (${h.url})` : ''}`);
      if (current) print(`schema:\n${current.sdl}`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown subgraph command "${action}"` : 'say what to do: gatehouse subgraph publish|check|list|show|delete');
  }
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

async function registeredUrl(registry: RegistryClient, name: string): Promise<string | undefined> {
  const reply = await registry.show(name);
  return reply.status === 200 ? (reply.body.current as { url?: string } | null)?.url : undefined;
}

function report(reply: RegistryReply, print: Print, name: string): void {
  const { body } = reply;
  if (reply.status >= 400) {
    const errors = Array.isArray(body.errors) ? (body.errors as string[]) : [];
    throw new CliError([registryError(reply), ...errors.map((e) => `  - ${e}`)].join('\n'));
  }
  const malls = (body.malls as string[] | undefined) ?? [];
  const breaking = (body.breaking as string[] | undefined) ?? [];
  switch (body.status) {
    case 'checked':
      print(
        `${name}: the change composes${breaking.length ? ` and is allowed to break ${breaking.length} thing(s)` : ' and breaks no client'}; nothing was published`,
      );
      break;
    case 'unchanged':
      print(`${name}: already published as it is (revision ${String(body.revision)}); nothing changed`);
      break;
    default:
      print(
        `${name} ${String(body.status)}: revision ${String(body.revision)}; every gateway switches within 2 s${malls.length ? ` (malls: ${malls.join(', ')})` : ''}`,
      );
  }
  // Accepted without allowBreaking because no known operation uses what changed (usage-based checks).
  if (typeof body.note === 'string') {
    print(`  ${body.note}`);
    for (const change of breaking) print(`  breaking by type rules, unused: ${change}`);
    return;
  }
  for (const change of breaking) print(`  breaking (allowed): ${change}`);
}
