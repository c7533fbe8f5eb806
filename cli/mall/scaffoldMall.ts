/**
 * `gatehouse mall new <id> --site URL`: a mall subgraph on the mall kit that
 * composes, publishes and runs as it is, and only needs its selectors filled
 * in. Refusals are Errors whose message is one sentence a CLI prints as is.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMallId } from '../../composition/mallNaming.ts';
import { DIRECTORY_SUBGRAPH } from '../../composition/subgraphDefinition.ts';
import { buildSearchUrl } from '../../subgraphs/malls/kit/extractOffers.ts';
import { discoverSearchPage, guessedSearch, searchOnlySite, type SearchDiscovery } from './discoverSearchPage.ts';
import { FIXTURE_FILE, mainSource, placeholderPageSource, savedPageSource, schemaSource, siteSource, testSource, type MallFacts } from './renderMallFiles.ts';

export interface ScaffoldMallOptions {
  /** The mall id: 1-40 lower-case letters and digits, starting with a letter (`minguk`). */
  id: string;
  /** The mall's homepage, http(s); the search form on it is followed to save a search page. */
  site: string;
  /** The repository root; the mall goes in `<root>/subgraphs/malls/<id>/`. */
  root: string;
  /** Display name. Default: the id. */
  name?: string;
  /** Read the site to find its search URL and save a search page. Default true; false writes a placeholder page. */
  fetchPage?: boolean;
  /** The sample search the saved page shows. Default `airpods`. */
  keyword?: string;
  /** Per page fetched. Default 10 s. */
  timeoutMs?: number;
}

export interface ScaffoldedMall {
  directory: string;
  /** Paths of the files written, relative to `root`. */
  files: string[];
  /** Whether fixtures/search.html came from the site, or is a placeholder and why. */
  searchPage: { source: 'site'; url: string } | { source: 'placeholder'; reason: string };
}

/** Not mall ids although they match the pattern: the kit's folder and the generated directory subgraph. */
const RESERVED_IDS = new Set(['kit', DIRECTORY_SUBGRAPH]);
const MAX_NAME_CHARS = 100;

export async function scaffoldMall(options: ScaffoldMallOptions): Promise<ScaffoldedMall> {
  const { id, root, fetchPage = true, keyword = 'airpods', timeoutMs = 10_000 } = options;
  const homepage = checkOptions(options);
  const name = options.name ?? id;
  const relativeDirectory = join('subgraphs', 'malls', id);
  const directory = join(root, relativeDirectory);
  if (!existsSync(join(root, 'subgraphs', 'malls', 'kit'))) {
    throw new Error(`${root} has no subgraphs/malls/kit; run this from the root of the Gatehouse repository`);
  }
  if (existsSync(directory)) throw new Error(`${relativeDirectory} already exists; choose another mall id or remove it first`);

  const discovery: SearchDiscovery = fetchPage
    ? await discoverSearchPage(homepage, keyword, timeoutMs)
    : guessedSearch('the site was not read (fetchPage: false)');
  const facts: MallFacts = { id, name, homepage, keyword, ...discovery };
  const page =
    'url' in discovery.page
      ? { url: discovery.page.url, text: savedPageSource(discovery.page.url, discovery.page.html, keyword, discovery.page.charset) }
      : {
          url: buildSearchUrl(searchOnlySite(homepage, facts.searchPath, facts.queryEncoding), keyword, 1),
          text: placeholderPageSource(facts, discovery.page.reason),
        };

  const files: [string, string][] = [
    ['site.ts', siteSource(facts)],
    ['main.ts', mainSource(facts)],
    ['schema.graphql', schemaSource(facts)],
    [FIXTURE_FILE, page.text],
    ['site.test.ts', testSource(facts, page.url)],
  ];
  await mkdir(join(root, 'subgraphs', 'malls'), { recursive: true });
  try {
    // Not recursive: a directory made meanwhile by someone else is refused, not overwritten.
    await mkdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${relativeDirectory} already exists; choose another mall id or remove it first`);
    }
    throw error;
  }
  try {
    await mkdir(join(directory, 'fixtures'));
    for (const [file, text] of files) await writeFile(join(directory, file), text, { flag: 'wx' });
  } catch (error) {
    // Half a mall would be refused next time as "already exists".
    await rm(directory, { recursive: true, force: true });
    throw new Error(`could not write ${relativeDirectory}: ${(error as Error).message}`);
  }
  return {
    directory,
    files: files.map(([file]) => join(relativeDirectory, file)),
    searchPage: 'url' in discovery.page ? { source: 'site', url: discovery.page.url } : { source: 'placeholder', reason: discovery.page.reason },
  };
}

/** The homepage, normalised to end in `/`, once the options are known to be usable. */
function checkOptions({ id, site, name }: ScaffoldMallOptions): string {
  if (!isMallId(id)) {
    throw new Error(`mall id ${JSON.stringify(id)} must be 1-40 lower-case letters and digits, starting with a letter`);
  }
  if (RESERVED_IDS.has(id)) throw new Error(`mall id "${id}" is reserved; choose another`);
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (name !== undefined && (name.trim() === '' || name.length > MAX_NAME_CHARS || /[\u0000-\u001f\u007f]/.test(name))) {
    throw new Error(`the mall name must be 1-${MAX_NAME_CHARS} characters without control characters`);
  }
  let url: URL;
  try {
    url = new URL(site);
  } catch {
    throw new Error(`--site must be an http(s) URL such as https://mall.example/, got ${JSON.stringify(site)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--site must be an http(s) URL such as https://mall.example/, got ${JSON.stringify(site)}`);
  }
  if (url.username || url.password) throw new Error('--site must not carry a user name or password; they would be written into the mall');
  url.hash = '';
  url.search = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}
