import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSite as createDaehanSite } from '../../subgraphs/malls/daehan/site.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { createPageReader, type PageReader } from '../../subgraphs/malls/kit/createPageReader.ts';
import { decodePage } from '../../subgraphs/malls/kit/decodePage.ts';
import { buildSearchUrl, extractOffers, offersFromRaw } from '../../subgraphs/malls/kit/extractOffers.ts';
import { PageTooComplexError } from '../../subgraphs/malls/kit/parseHtmlWithBudget.ts';

const ORIGIN = 'http://127.0.0.1:4100';
const FIXTURES = fileURLToPath(new URL('../fixtures/pages/', import.meta.url));
const hanbit = createHanbitSite(`${ORIGIN}/hanbit/`);
const daehan = createDaehanSite(`${ORIGIN}/daehan/`);
const HOSTILE = Buffer.from('<div a="<">'.repeat(60_000));

const readers: PageReader[] = [];
afterAll(() => Promise.all(readers.map((r) => r.close())));
function reader(options: Parameters<typeof createPageReader>[0] = {}): PageReader {
  const created = createPageReader(options);
  readers.push(created);
  return created;
}

/** The longest the event loop went without turning while `work` ran. */
async function longestStall<T>(work: Promise<T>): Promise<{ result: PromiseSettledResult<T>; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const [result] = await Promise.allSettled([work]);
  clearInterval(ticker);
  return { result, stallMs };
}

describe('a page reader (worker threads)', () => {
  it.each([
    ['hanbit/search-airpods-p1.html', hanbit, 'airpods'],
    ['daehan/search-airpods-ko-p1.html', daehan, '에어팟'],
  ] as const)('reads %s to exactly the offers extractOffers reads in-process (charset decoded on the thread)', async (file, site, keyword) => {
    const body = readFileSync(join(FIXTURES, file));
    const pageUrl = buildSearchUrl(site, keyword, 1);
    const raw = await reader().read(body, null, site.selectors);
    const offers = offersFromRaw(raw, site, pageUrl);
    expect(offers).toEqual(extractOffers(decodePage(body, null), site, pageUrl));
    expect(offers.offers.length).toBeGreaterThan(10);
  });

  it('refuses the 645 KB <div a="<"> page within 2 s with PAGE_TOO_COMPLEX, the event loop turning all along', async () => {
    const pages = reader();
    await pages.read(Buffer.from('<ul></ul>'), null, hanbit.selectors); // a started thread, so only the page is timed
    const started = performance.now();
    const { result, stallMs } = await longestStall(pages.read(HOSTILE, null, hanbit.selectors));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason as unknown;
    expect(error).toBeInstanceOf(PageTooComplexError);
    expect(error).toMatchObject({ code: 'PAGE_TOO_COMPLEX', message: expect.stringMatching(/nests elements more than 512 deep/) });
    expect(stallMs).toBeLessThan(200);
  });

  it('stops a page the counters let through at its time budget, off the event loop, and reads the next page', async () => {
    // Counters off: the hostile page now costs the parser tens of seconds.
    const pages = reader({ timeBudgetMs: 300, budget: { maxElements: 10_000_000, maxDepth: 10_000_000 } });
    await pages.read(Buffer.from('<ul></ul>'), null, hanbit.selectors);
    const started = performance.now();
    const { result, stallMs } = await longestStall(pages.read(HOSTILE, null, hanbit.selectors));
    expect(performance.now() - started).toBeLessThan(2000);
    expect((result as PromiseRejectedResult).reason).toMatchObject({
      code: 'PAGE_TOO_COMPLEX',
      message: 'the search page took more than 300 ms to read; it was not read',
    });
    expect(stallMs).toBeLessThan(200);
    const next = await pages.read(readFileSync(join(FIXTURES, 'hanbit/search-airpods-p1.html')), null, hanbit.selectors);
    expect(next.items).toHaveLength(20);
  });

  it('times a page from when its thread starts on it, not while it waits its turn', async () => {
    const budgetMs = 400;
    const pages = reader({ threads: 1, timeBudgetMs: budgetMs });
    const body = readFileSync(join(FIXTURES, 'hanbit/search-airpods-p1.html'));
    const read = () => pages.read(body, null, hanbit.selectors);
    // What one page costs on this machine now, so enough of them are queued whatever its speed or load.
    await read();
    const calibrated = performance.now();
    for (let i = 0; i < 10; i++) await read();
    const perPageMs = Math.max((performance.now() - calibrated) / 10, 0.5);
    const count = Math.min(Math.ceil((3 * budgetMs) / perPageMs), 5000);
    // Queued behind each other on one thread, the last pages wait longer than a budget before their turn.
    const submitted = performance.now();
    const waits = await Promise.all(
      Array.from({ length: count }, () =>
        read().then(
          () => ({ ok: true, afterMs: performance.now() - submitted }),
          (error: unknown) => ({ ok: false, afterMs: performance.now() - submitted, error }),
        ),
      ),
    );
    const longest = Math.max(...waits.map((w) => w.afterMs));
    expect(longest, `${count} pages of ${perPageMs.toFixed(1)} ms each did not outlast one budget`).toBeGreaterThan(budgetMs);
    expect(waits.filter((w) => !w.ok)).toEqual([]);
  });
});
