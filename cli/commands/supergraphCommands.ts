import { writeFileSync } from 'node:fs';
import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../../composition/readSupergraphConfig.ts';
import { CliError, UsageError } from '../cliError.ts';

/** `gatehouse supergraph compose --config supergraph.yaml [--output FILE]`, locally, no registry. */
export function runSupergraphCommand(action: string | undefined, flags: { config?: string; output?: string }, print: (line: string) => void): void {
  if (action !== 'compose') throw new UsageError(action ? `unknown supergraph command "${action}"` : 'say what to do: gatehouse supergraph compose');
  const config = flags.config ?? 'supergraph.yaml';
  let result;
  try {
    result = composeSupergraph(readSupergraphConfig(config));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (!result.ok) throw new CliError(['the subgraphs do not compose:', ...result.errors.map((e) => `  - ${e}`)].join('\n'));
  if (!flags.output) return print(result.supergraphSdl);
  try {
    writeFileSync(flags.output, result.supergraphSdl);
  } catch (error) {
    throw new CliError(`cannot write ${flags.output} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  print(`wrote ${flags.output}: ${result.malls.length} malls (${result.malls.map((m) => m.id).join(', ')})`);
}
