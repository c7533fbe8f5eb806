/**
 * Reads fetched search pages on a small pool of worker threads (piscina), so
 * parsing never blocks the mall's event loop: searches answered from memory
 * or the cache keep answering while a hostile page is being read. A page
 * gets a budget counted by the parser (elements, depth), a time budget (its
 * thread is stopped past it) and a heap limit; past any of them it fails
 * with PAGE_TOO_COMPLEX, costing only its own crawl.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { PageTooComplexError, PARSE_BUDGET, type ParseBudget } from './parseHtmlWithBudget.ts';
import type { PageTask, PageTaskResult } from './pageWorker.ts';
import type { RawSearchPage } from './readSearchPage.ts';
import type { SiteSelectors } from './siteDescription.ts';
import { runnableEntry } from '../../../lib/worker/runnableEntry.ts';

export interface PageReaderOptions {
  /** Threads reading pages at once (default 2); more pages wait in a queue. */
  threads?: number;
  /** Time one page may take once its thread starts on it (default 2000 ms). */
  timeBudgetMs?: number;
  /** Elements and nesting the parser may build (default PARSE_BUDGET). */
  budget?: ParseBudget;
  /** Heap of each thread (default 256 MB). */
  maxHeapMb?: number;
}

export interface PageReader {
  /** The page's items as strings, or PageTooComplexError. */
  read(body: Buffer, contentType: string | null, selectors: SiteSelectors): Promise<RawSearchPage>;
  close(): Promise<void>;
}

/** A legitimate page reads in tens of milliseconds; this leaves room for a busy machine. */
export const PAGE_TIME_BUDGET_MS = 2000;

/**
 * tsx's loader by absolute URL, for the worker to load the kit's TypeScript
 * wherever the process runs (a vitest worker has no tsx of its own).
 */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export function createPageReader(options: PageReaderOptions = {}): PageReader {
  const timeBudgetMs = options.timeBudgetMs ?? PAGE_TIME_BUDGET_MS;
  const budget = options.budget ?? PARSE_BUDGET;
  const maxHeapMb = options.maxHeapMb ?? 256;
  const pool = new Piscina<PageTask, PageTaskResult>({
    filename: runnableEntry(new URL('./pageWorker.ts', import.meta.url)).href,
    // One warm thread, so the first search does not wait for one to start.
    minThreads: 1,
    maxThreads: options.threads ?? 2,
    idleTimeout: 60_000,
    execArgv: ['--import', TSX_LOADER],
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
  });

  return {
    async read(body, contentType, selectors) {
      const abort = new AbortController();
      const { port1, port2 } = new MessageChannel();
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      port1.once('message', () => {
        if (!done) timer = setTimeout(() => abort.abort(), timeBudgetMs);
      });
      // A copy: the fetched buffer may share its memory with other buffers.
      const task: PageTask = { body: new Uint8Array(body), contentType, selectors, budget, started: port2 };
      let result: PageTaskResult;
      try {
        result = await pool.run(task, { transferList: [port2], signal: abort.signal });
      } catch (error) {
        if (abort.signal.aborted) throw new PageTooComplexError(`the search page took more than ${timeBudgetMs} ms to read; it was not read`);
        if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
          throw new PageTooComplexError(`the search page needed more than ${maxHeapMb} MB to read; it was not read`);
        }
        throw error;
      } finally {
        done = true;
        clearTimeout(timer);
        port1.close();
      }
      if (result.tooComplex !== undefined) throw new PageTooComplexError(result.tooComplex);
      return result.page;
    },
    close: () => pool.destroy(),
  };
}

let shared: PageReader | undefined;

/**
 * One reader for the process, for searches not given their own. Its threads
 * never keep the process alive (piscina unrefs idle ones).
 */
export function sharedPageReader(): PageReader {
  shared ??= createPageReader();
  return shared;
}
