import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { eventsUrlOf, postEvents } from '../../subgraphs/approval/events/postEvents.ts';
import { startTestSystem, type TestSystem } from '../support/startTestSystem.ts';

let system: TestSystem;
let browser: Browser;

beforeAll(async () => {
  system = await startTestSystem();
  browser = await chromium.launch({
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
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

async function postEvent(userId: string, system_: string, count: number, seq: number, secret: string) {
  const result = await postEvents(
    eventsUrlOf(system.subgraphUrls.approval!),
    { system: system_, userId, count, seq, occurredAt: new Date().toISOString() },
    secret,
  );
  expect(result.status).toBe(202);
}

describe('the portal widget', () => {
  it('shows an event sent to POST /events as a live badge', async () => {
    const token = await signToken({ userId: 'u-widget', secret: DEV_JWT_SECRET });
    const page = await browser.newPage();
    await page.goto(`${system.gatewayUrl}/portal/#token=${token}`);
    await page.getByTestId('status').filter({ hasText: 'live' }).waitFor();
    await page.getByTestId('empty').waitFor();
    expect(await page.getByTestId('total').textContent()).toBe('0');
    expect(page.url()).not.toContain(token); // the token leaves the address bar

    await postEvent('u-widget', 'hr', 5, 1, 'dev-secret-hr');
    const hr = page.locator('[data-system="hr"]');
    await hr.locator('.count').filter({ hasText: '5' }).waitFor({ timeout: 5000 });
    expect(await hr.locator('.name').textContent()).toBe('HR');
    expect(await hr.getAttribute('href')).toContain('https://hr.example.com/approvals');

    await postEvent('u-widget', 'finance', 2, 1, 'dev-secret-finance');
    await page.getByTestId('total').filter({ hasText: '7' }).waitFor({ timeout: 5000 });
    await postEvent('u-widget', 'hr', 0, 2, 'dev-secret-hr');
    await page.getByTestId('total').filter({ hasText: '2' }).waitFor({ timeout: 5000 });
    expect(await page.locator('[data-system="hr"]').count()).toBe(0);
    expect(await page.getByTestId('signin').isVisible()).toBe(false);
    await page.close();
  });

  it('asks to sign in without a token, and signs out on a token the gateway refuses', async () => {
    const page = await browser.newPage();
    await page.goto(`${system.gatewayUrl}/portal/`);
    await page.getByTestId('signin').waitFor();
    await page.locator('input[name="token"]').fill('not-a-jwt');
    await page.locator('button[type="submit"]').click();
    await page
      .getByTestId('error')
      .filter({ hasText: /sign in again/ })
      .waitFor({ timeout: 5000 });
    expect(await page.getByTestId('signin').isVisible()).toBe(true);
    await page.close();
  });
});
