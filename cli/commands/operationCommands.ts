import { readFile } from 'node:fs/promises';
import { CliError, UsageError } from '../cliError.ts';
import { expectOk, registryError, type RegistryClient } from '../registryClient.ts';

export interface OperationFlags {
  client?: string;
  version?: string;
}

/** `gatehouse operations publish|list|delete`: a client version's trusted operations (publish and delete need the admin token). */
export async function runOperationCommand(
  action: string | undefined,
  file: string | undefined,
  flags: OperationFlags,
  registry: RegistryClient,
  print: (line: string) => void,
): Promise<void> {
  switch (action) {
    case 'publish': {
      const { client, version } = required(flags);
      if (!file) throw new UsageError('publish needs the manifest FILE (Apollo\'s persisted query manifest, or a { "<sha256>": "<operation>" } map)');
      let manifest: unknown;
      try {
        manifest = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new CliError(`cannot read the manifest ${file} (${(error as Error).message.split('\n')[0]}); give a JSON file`);
      }
      const reply = await registry.publishManifest(client, version, manifest);
      if (reply.status >= 400) {
        const errors = Array.isArray(reply.body.errors) ? (reply.body.errors as string[]) : [];
        throw new CliError([registryError(reply), ...errors.slice(0, 20).map((e) => `  - ${e}`)].join('\n'));
      }
      print(
        `${client} ${version}: ${String(reply.body.operations)} operations published (validated against revision ${String(reply.body.revision)}); every gateway serves their ids within seconds`,
      );
      return;
    }
    case 'list': {
      const { body } = expectOk(await registry.listManifests());
      const manifests = body.manifests as Array<{ client: string; version: string; operations: number; publishedBy: string; publishedAt: string }>;
      print(`${manifests.length} manifests`);
      for (const m of manifests)
        print(`${m.client.padEnd(20)} ${m.version.padEnd(12)} ${String(m.operations).padStart(5)} operations  by ${m.publishedBy} at ${m.publishedAt}`);
      return;
    }
    case 'delete': {
      const { client, version } = required(flags);
      expectOk(await registry.deleteManifest(client, version));
      print(`${client} ${version}: manifest deleted; its operations stop running by id within seconds unless another manifest holds them`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown operations command "${action}"` : 'say what to do: gatehouse operations publish|list|delete');
  }
}

function required(flags: OperationFlags): { client: string; version: string } {
  if (!flags.client) throw new UsageError('--client is required (the name the app sends in apollographql-client-name)');
  if (!flags.version) throw new UsageError('--version is required (the app version the manifest belongs to)');
  return { client: flags.client, version: flags.version };
}
