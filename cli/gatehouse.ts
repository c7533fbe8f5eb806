import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DEV_ADMIN_TOKEN } from '../registry/http/changeRights.ts';
import { CliError, UsageError } from './cliError.ts';
import { runCatalogCommand } from './commands/catalogCommands.ts';
import { runMallCommand } from './commands/mallCommands.ts';
import { runOperationCommand } from './commands/operationCommands.ts';
import { runSubgraphCommand } from './commands/subgraphCommands.ts';
import { runSupergraphCommand } from './commands/supergraphCommands.ts';
import { runTokenCommand } from './commands/tokenCommands.ts';
import { createRegistryClient } from './registryClient.ts';

const HELP = `gatehouse: publish subgraphs to the Gatehouse registry, scaffold malls and run a gateway

  gatehouse subgraph publish --name NAME --routing-url URL (--schema FILE | --introspect URL) [--allow-breaking]
  gatehouse subgraph check   --name NAME [--routing-url URL] (--schema FILE | --introspect URL) [--allow-breaking]
  gatehouse subgraph list
  gatehouse subgraph show    --name NAME
  gatehouse subgraph delete  --name NAME [--allow-breaking] [--dry-run]
  gatehouse operations publish --client NAME --version VERSION FILE
  gatehouse operations list
  gatehouse operations delete --client NAME --version VERSION
  gatehouse supergraph compose [--config supergraph.yaml] [--output FILE]
  gatehouse mall new ID --site URL [--name "Display name"]
  gatehouse token issue --team TEAM --subgraph NAME [--subgraph NAME…] [--contribute COORDINATE…] [--expires-in-days 90]
  gatehouse token list
  gatehouse token revoke ID
  gatehouse gateway --supergraph FILE [--port 4000] [--host 127.0.0.1]
  gatehouse catalog import FILE

Registry address: GATEHOUSE_REGISTRY_URL (default http://127.0.0.1:4080). Changes use
GATEHOUSE_TOKEN (a team token from \`gatehouse token issue\`) if set, else GATEHOUSE_ADMIN_TOKEN
(default the development token); the token commands need GATEHOUSE_ADMIN_TOKEN.
GATEHOUSE_USER names who publishes. \`gatehouse gateway\` serves a composed supergraph file
(SUPERGRAPH_PATH if --supergraph is not given), reloading it when it changes; its other
settings come from the gateway's variables (README, Configuration). \`gatehouse catalog import\`
upserts the products of a JSON-lines file into the catalog's database (MONGODB_URI,
MONGODB_DB_PREFIX); one bad line refuses the whole file.`;

export async function main(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        'routing-url': { type: 'string' },
        schema: { type: 'string' },
        introspect: { type: 'string' },
        'allow-breaking': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        config: { type: 'string' },
        output: { type: 'string' },
        site: { type: 'string' },
        team: { type: 'string' },
        subgraph: { type: 'string', multiple: true },
        contribute: { type: 'string', multiple: true },
        'expires-in-days': { type: 'string' },
        supergraph: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        client: { type: 'string' },
        version: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const { values, positionals } = parsed;
  const [group, action, ...rest] = positionals;
  if (values.help || !group) return print(HELP);
  const adminToken = env.GATEHOUSE_ADMIN_TOKEN || DEV_ADMIN_TOKEN;
  const registry = (token = env.GATEHOUSE_TOKEN || adminToken) =>
    createRegistryClient({
      url: env.GATEHOUSE_REGISTRY_URL || 'http://127.0.0.1:4080',
      token,
      user: env.GATEHOUSE_USER || userInfo().username,
    });
  switch (group) {
    case 'subgraph':
      return runSubgraphCommand(
        action,
        {
          name: values.name,
          routingUrl: values['routing-url'],
          schema: values.schema,
          introspect: values.introspect,
          allowBreaking: values['allow-breaking'],
          dryRun: values['dry-run'],
        },
        registry(),
        print,
      );
    case 'operations':
      return runOperationCommand(action, rest[0], { client: values.client, version: values.version }, registry(adminToken), print);
    case 'supergraph':
      return runSupergraphCommand(action, { config: values.config, output: values.output }, print);
    case 'token':
      return runTokenCommand(
        action,
        rest[0],
        { team: values.team, subgraphs: values.subgraph ?? [], contributes: values.contribute ?? [], expiresInDays: values['expires-in-days'] },
        registry(adminToken),
        print,
      );
    case 'gateway': {
      // Loaded only here: the gateway's modules would slow every other command's start.
      const { runGatewayCommand } = await import('./commands/gatewayCommand.ts');
      return runGatewayCommand(action, { supergraph: values.supergraph, port: values.port, host: values.host }, env);
    }
    case 'catalog':
      return runCatalogCommand(action, rest[0], env, print);
    case 'mall':
      return runMallCommand(action, rest[0], { site: values.site, name: values.name }, print);
    default:
      throw new UsageError(`unknown command "${group}"`);
  }
}

// Errors the user can act on print as they are; anything else as one line too, never a stack.
main(process.argv.slice(2), process.env, (line) => console.log(line)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`gatehouse: ${message}`);
  process.exit(error instanceof CliError ? error.exitCode : 1);
});
