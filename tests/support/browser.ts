import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with nothing of its own reaching the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Records every request the page makes outside `origins` and refuses it, so a
 * test can show a page works with no internet (no CDN, no font service).
 */
export async function refuseForeignRequests(page: Page, origins: string[]): Promise<string[]> {
  const foreign: string[] = [];
  const allowed = new Set(origins.map((o) => new URL(o).host));
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || allowed.has(url.host)) return route.continue();
    foreign.push(url.href);
    await route.abort();
  });
  return foreign;
}

/** Saves a screenshot named `name` when GATEHOUSE_SCREENSHOTS names a directory (to look at the pages by eye). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.GATEHOUSE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}
