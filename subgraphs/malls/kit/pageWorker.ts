/**
 * What a page reader's worker thread does with one page: decode its charset,
 * parse it within the budget and read its items' strings. Runs off the mall's
 * event loop, so a page that is slow to read delays only its own crawl.
 */
import type { MessagePort } from 'node:worker_threads';
import { lowerThreadPriority } from '../../../lib/worker/lowerThreadPriority.ts';
import { decodePage } from './decodePage.ts';
import { PageTooComplexError, type ParseBudget } from './parseHtmlWithBudget.ts';
import { readSearchPage, type RawSearchPage } from './readSearchPage.ts';
import type { SiteSelectors } from './siteDescription.ts';

// Answering searches comes first: on a busy machine, reading pages gets the CPU left over.
lowerThreadPriority();

export interface PageTask {
  body: Uint8Array;
  contentType: string | null;
  selectors: SiteSelectors;
  budget: ParseBudget;
  /** Told when the worker starts on the page: the reader's time budget runs from then, not from the queue. */
  started: MessagePort;
}

/** Errors lose their class between threads, so a budget refusal comes back as data. */
export type PageTaskResult = { page: RawSearchPage; tooComplex?: undefined } | { page?: undefined; tooComplex: string };

export default function readPageTask(task: PageTask): PageTaskResult {
  task.started.postMessage('started');
  task.started.close();
  const body = Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
  try {
    return { page: readSearchPage(decodePage(body, task.contentType), task.selectors, task.budget) };
  } catch (error) {
    if (error instanceof PageTooComplexError) return { tooComplex: error.message };
    throw error;
  }
}
