// The cookie banner and cookies page in real Chromium: consent exactly as people expect on a UK public site.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext } from 'playwright-core';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer } from '../helpers/web.ts';
import { launchChromium, noChromium, screenshot } from '../helpers/browser.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';

const pglite = engines.find((e) => e.name === 'pglite')!;

describe('cookie consent in Chromium', { skip: noChromium }, () => {
  let db: Database;
  let web: RunningServer;
  let browser: Browser;
  before(async () => {
    db = await pglite.open();
    web = await startTestServer(db, { analytics: true });
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); await web?.close(); if (db) await closeTestDatabase(db); });

  const names = async (context: BrowserContext) => (await context.cookies()).map((c) => c.name).sort();

  test('necessary cookies only until the visitor accepts; accepting sets the analytics cookie and loads the script; the choice survives a reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname); });
    await page.goto(`${web.url}/`);
    const banner = page.getByRole('region', { name: 'Cookies on Total Place' });
    assert.equal(await banner.isVisible(), true);
    await screenshot(page, 'cookie-banner');
    assert.ok(!(await names(context)).includes('tp_analytics'), 'no analytics cookie before consent');
    assert.ok(!scripts.includes('/public/analytics.js'), 'no analytics script before consent');

    await page.getByRole('button', { name: 'Accept analytics cookies' }).click();
    await page.waitForURL(/cookies=accepted/);
    assert.match(await banner.innerText(), /You’ve accepted analytics cookies/);
    const cookies = await context.cookies();
    const analytics = cookies.find((c) => c.name === 'tp_analytics');
    assert.ok(analytics, 'analytics cookie set after accepting');
    const policy = cookies.find((c) => c.name === 'tp_cookies_policy')!;
    const days = (policy.expires * 1000 - Date.now()) / 86400000;
    assert.ok(days > 360 && days <= 366, `consent kept for a year (got ${days.toFixed(1)} days)`);
    assert.ok(scripts.includes('/public/analytics.js'), 'analytics script loaded after consent');
    await screenshot(page, 'cookie-banner-accepted');

    await page.getByRole('link', { name: 'Hide cookie message' }).click();
    await page.waitForURL((u) => !u.search.includes('cookies='));
    assert.equal(await page.getByRole('region', { name: 'Cookies on Total Place' }).count(), 0);
    await page.reload();
    assert.equal(await page.getByRole('region', { name: 'Cookies on Total Place' }).count(), 0, 'no banner after a choice, after reload');
    assert.ok((await names(context)).includes('tp_analytics'));
    // The page view was recorded, for this visitor only.
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM page_view WHERE visitor = $1', [analytics.value]);
    assert.ok(n >= 1);
    await context.close();
  });

  test('rejecting sets no analytics cookie, and changing to reject on the cookies page removes it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${web.url}/places`);
    await page.getByRole('button', { name: 'Reject analytics cookies' }).click();
    await page.waitForURL(/cookies=rejected/);
    assert.match(await page.getByRole('region', { name: 'Cookies on Total Place' }).innerText(), /You’ve rejected analytics cookies/);
    assert.deepEqual((await names(context)).filter((n) => n.startsWith('tp_analytics')), []);
    // Change of mind on the cookies page: accept, then reject again.
    await page.goto(`${web.url}/cookies`);
    await page.getByLabel('Yes').check();
    await page.getByRole('button', { name: 'Save cookie settings' }).click();
    await page.waitForURL(/saved=1/);
    assert.ok((await names(context)).includes('tp_analytics'));
    await page.getByLabel('No').check();
    await page.getByRole('button', { name: 'Save cookie settings' }).click();
    await page.waitForURL(/saved=1/);
    assert.ok(!(await names(context)).includes('tp_analytics'), 'rejecting removes the analytics cookie');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Cookies/);
    await screenshot(page, 'cookies-page');
    await context.close();
  });

  test('the banner works without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${web.url}/`);
    await page.getByRole('button', { name: 'Accept analytics cookies' }).click();
    await page.waitForURL(/cookies=accepted/);
    assert.ok((await names(context)).includes('tp_analytics'));
    await page.getByRole('link', { name: 'Hide cookie message' }).click();
    await page.reload();
    assert.equal(await page.getByRole('region', { name: 'Cookies on Total Place' }).count(), 0);
    await context.close();
  });

  test('with no analytics configured there is no banner and no optional cookie', async () => {
    const plain = await startTestServer(db, { analytics: false });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${plain.url}/`);
      assert.equal(await page.getByRole('region', { name: 'Cookies on Total Place' }).count(), 0);
      await page.goto(`${plain.url}/cookies`);
      assert.match(await page.locator('main').innerText(), /no analytics/);
      await context.close();
    } finally { await plain.close(); }
  });
});
