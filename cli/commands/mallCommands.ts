import { relative } from 'node:path';
import { scaffoldMall } from '../mall/scaffoldMall.ts';
import { CliError, UsageError } from '../cliError.ts';

/** `gatehouse mall new ID --site URL`: scaffolds a mall subgraph in the current repository. */
export async function runMallCommand(
  action: string | undefined,
  id: string | undefined,
  flags: { site?: string; name?: string },
  print: (line: string) => void,
): Promise<void> {
  if (action !== 'new') throw new UsageError(action ? `unknown mall command "${action}"` : 'say what to do: gatehouse mall new ID --site URL');
  if (!id) throw new UsageError("give the new mall's id: gatehouse mall new ID --site URL");
  if (!flags.site) throw new UsageError("--site is required: the mall's homepage URL");
  let mall;
  try {
    mall = await scaffoldMall({ id, site: flags.site, root: process.cwd(), name: flags.name });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const where = relative(process.cwd(), mall.directory);
  print(`created ${where}/: ${mall.files.map((f) => relative(where, f)).join(', ')}`);
  print(
    mall.searchPage.source === 'site'
      ? `saved a search page from ${mall.searchPage.url}`
      : `wrote a placeholder search page (${mall.searchPage.reason}); save a real one over it`,
  );
  print(`next: fill the selectors in ${where}/site.ts until \`npx vitest run ${where}\` passes, then run and publish it (README: "Add a mall")`);
}
