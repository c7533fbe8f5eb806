import { diffLines } from 'diff';
import express, { type Express } from 'express';
import type { HistoryEntry } from '../store/registryStore.ts';
import type { RefusalStore } from '../store/refusalStore.ts';

/** A diff that takes longer is refused rather than holding the event loop (SDLs can be megabytes). */
const DIFF_BUDGET_MS = 500;

export interface ConsoleOptions {
  history: (name: string) => Promise<HistoryEntry[]>;
  readSchema: (hash: string) => Promise<string | null>;
  refusals: RefusalStore;
  /** The page itself (GATEHOUSE_INTROSPECTION; on in the demo): the read APIs below answer either way, as every registry read does. */
  page: boolean;
}

/**
 * The registry console: a static page at `/` (console/public, no build
 * step) over the registry's open read APIs, plus the reads it needs:
 *   GET /v1/refusals                                   refused changes, newest first
 *   GET /v1/subgraphs/:name/revisions/:revision/sdl    a subgraph's SDL as of a revision in its history
 *   GET /v1/subgraphs/:name/diff?from=R&to=R           the SDL change between two of them, line by line
 * Read-only: every change stays with the CLI.
 */
export function useConsole(app: Express, options: ConsoleOptions): void {
  app.get('/v1/refusals', async (req, res) => {
    const limit = Number(req.query.limit ?? 50);
    res.json({ refusals: await options.refusals.recent(Number.isInteger(limit) && limit > 0 ? limit : 50) });
  });

  const sdlAt = async (name: string, revision: number): Promise<{ found: false } | { found: true; sdl: string }> => {
    const entry = (await options.history(name)).find((e) => e.revision === revision);
    if (!entry) return { found: false };
    // A delete leaves no schema: diffing against it shows everything removed.
    return { found: true, sdl: entry.schemaHash ? ((await options.readSchema(entry.schemaHash)) ?? '') : '' };
  };

  app.get('/v1/subgraphs/:name/revisions/:revision/sdl', async (req, res) => {
    const name = String(req.params.name);
    const at = await sdlAt(name, Number(req.params.revision));
    if (!at.found)
      return void res.status(404).json({ error: `revision ${String(req.params.revision)} is not in ${name}'s history; GET /v1/subgraphs/${name} lists it` });
    res.type('text/plain').send(at.sdl);
  });

  app.get('/v1/subgraphs/:name/diff', async (req, res) => {
    const name = String(req.params.name);
    const [from, to] = [Number(req.query.from), Number(req.query.to)];
    const [before, after] = await Promise.all([sdlAt(name, from), sdlAt(name, to)]);
    if (!before.found || !after.found) {
      return void res.status(404).json({
        error: `from and to must be revisions in ${name}'s history (got ${shown(req.query.from)} and ${shown(req.query.to)}); GET /v1/subgraphs/${name} lists them`,
      });
    }
    const changes = diffLines(before.sdl, after.sdl, { timeout: DIFF_BUDGET_MS });
    if (!changes)
      return void res
        .status(422)
        .json({ error: `revisions ${from} and ${to} of ${name} differ too much to diff within ${DIFF_BUDGET_MS} ms; compare their SDLs instead` });
    res.json({ name, from, to, changes: changes.map((c) => ({ kind: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value })) });
  });

  if (options.page) app.use(express.static(new URL('./public', import.meta.url).pathname, { index: 'index.html', maxAge: '5m' }));
}

/** A query parameter as the caller sent it, for an error message. */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
