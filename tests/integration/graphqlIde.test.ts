/**
 * The GraphQL IDE as a person meets it: `/` links to it, `/graphql` in a
 * browser opens GraphiQL served from the gateway alone (nothing from the
 * internet), its default query searches every mall, and the approval
 * subscription shows a count change live, the token in the headers editor.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { eventsUrlOf, postEvents } from '../../subgraphs/approval/events/postEvents.ts';
import { launchChromium, refuseForeignRequests, screenshot } from '../support/browser.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';
import { waitFor } from '../support/waitFor.ts';

let system: TestSystem;
let browser: Browser;

beforeAll(async () => {
  system = await startTestSystem({ LOG_LEVEL: 'warn' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

interface MallResult {
  id: string;
  search: { offers: Array<{ title: string; price: number; url: string; product: { name: string } | null }> } | null;
}

/** The text of GraphiQL's result pane (CodeMirror draws only the lines in view, so ask the editor). */
function resultText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const editor = document.querySelector<Element & { CodeMirror?: { getValue(): string } }>('.graphiql-response .CodeMirror');
    return editor?.CodeMirror?.getValue() ?? '';
  });
}

/** Runs one named operation of the document: with several, GraphiQL's run button asks which. */
async function run(page: Page, operation: string): Promise<void> {
  // Until the editor has read the document's operations, the button offers no menu: ask again.
  await waitFor(
    `the run button to offer ${operation}`,
    async () => {
      await page.locator('.graphiql-execute-button').click();
      const item = page.getByRole('menuitem', { name: operation });
      const offered = await item.waitFor({ timeout: 2000 }).then(
        () => true,
        () => false,
      );
      if (!offered) return page.keyboard.press('Escape').then(() => false);
      await item.click();
      return true;
    },
    60_000,
  );
}

async function openIde(): Promise<{ page: Page; foreign: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const foreign = await refuseForeignRequests(page, [system.gatewayUrl, system.registryUrl]);
  await page.goto(system.gatewayUrl);
  await page.getByRole('link', { name: 'GraphQL IDE' }).click();
  await page.locator('.graphiql-container').waitFor({ timeout: 60_000 });
  return { page, foreign };
}

describe('the GraphQL IDE', () => {
  it('links from / to the IDE, the portal widget and the registry console', async () => {
    const page = await browser.newPage();
    await page.goto(system.gatewayUrl);
    expect(await page.getByRole('link', { name: 'Portal widget' }).getAttribute('href')).toBe('/portal/');
    expect(await page.getByRole('link', { name: 'Registry console' }).getAttribute('href')).toBe(`${system.registryUrl}/`);
    await page.close();
  });

  it('runs the default search from the gateway alone and shows offers from every mall', async () => {
    const { page, foreign } = await openIde();
    await run(page, 'SearchEveryMall');
    const malls = await waitFor(
      'offers from every mall in the result pane',
      async () => {
        const text = await resultText(page);
        if (!text.includes('"malls"')) return null;
        const result = JSON.parse(text) as { data?: { malls: MallResult[] } };
        const found = result.data?.malls ?? [];
        return found.length === 3 && found.every((m) => (m.search?.offers.length ?? 0) > 0) ? found : null;
      },
      30_000,
    );
    expect(malls.map((m) => m.id).sort()).toEqual(['daehan', 'hanbit', 'sejong']);
    expect(malls.flatMap((m) => m.search!.offers).some((o) => o.product !== null)).toBe(true);
    // The schema explorer opens from the same bundle.
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query').first().waitFor();
    await screenshot(page, 'graphql-ide');
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('shows an approval count change live over graphql-ws, with the token from the headers editor', async () => {
    const token = await signToken({ userId: 'u-ide', secret: DEV_JWT_SECRET });
    const { page } = await openIde();
    await page.getByRole('button', { name: 'Headers' }).click();
    await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').click();
    await page.keyboard.type(`{"Authorization": "Bearer ${token}"`);
    await run(page, 'ApprovalCount');
    await waitFor('the current summary', async () => (await resultText(page)).includes('"total": 0'));

    const sent = await postEvents(
      eventsUrlOf(system.subgraphUrls.approval!),
      { system: 'hr', userId: 'u-ide', count: 4, seq: 1, occurredAt: new Date().toISOString() },
      'dev-secret-hr',
    );
    expect(sent.status).toBe(202);
    await waitFor('the pushed count', async () => (await resultText(page)).includes('"total": 4'), 10_000);
    await page.close();
  });
});
