// A partner loads a real published file through the upload wizard in Chromium, and the place's public
// count changes by exactly the file's total.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, TEST_PASSWORD } from '../helpers/web.ts';
import { launchChromium, noChromium, screenshot } from '../helpers/browser.ts';
import { noSharedData, sharedFile } from '../helpers/shared-data.ts';
import { createPlace, attachBody } from '../../src/place/places.ts';
import { formatPence } from '../../src/ledger/summary.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';

const pglite = engines.find((e) => e.name === 'pglite')!;
const HYNDBURN = 'E07000120';
// Hyndburn's April 2023 file: windows-1252 with a junk first row and trailing empty columns.
const FILE = ['spending', 'lancashire', 'hyndburn', 'hyndburn_2023-04.csv'];

describe('upload wizard in Chromium', { skip: noChromium || noSharedData }, () => {
  let db: Database;
  let web: RunningServer;
  let browser: Browser;
  before(async () => {
    db = await pglite.open();
    await addUser(db, 'ed@hyndburn.example', 'editor', HYNDBURN);
    await createPlace(db, { code: 'HYNDBURN', name: 'Hyndburn', areas: [HYNDBURN] }, 'test');
    await attachBody(db, 'HYNDBURN', { body: HYNDBURN, rule: 'direct' }, 'test');
    web = await startTestServer(db);
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); await web?.close(); if (db) await closeTestDatabase(db); });

  /** Waits while a page keeps reloading itself (a background job is running). A reload may be under way
   *  at any moment, so the check is made only on a fully loaded page, and again if it fails mid-navigation. */
  async function settle(page: Page): Promise<void> {
    for (let i = 0; i < 300; i++) {
      await page.waitForLoadState('load');
      const working = await page.locator('meta[http-equiv="refresh"]').count().catch(() => 1);
      const text = await page.locator('main').innerText().catch(() => 'lines read so far');
      if (working === 0 && !text.includes('lines read so far')) return;
      await page.waitForTimeout(500);
    }
    throw new Error('the background job did not finish');
  }

  test('a partner uploads a real file and sees the count change', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const count = async () => {
      await page.goto(`${web.url}/places/HYNDBURN`);
      return (await page.locator('main').innerText());
    };
    const before = await count();
    assert.ok(!before.includes("exactly, counted once") || before.includes("£0.00 exactly"), `nothing loaded yet: ${before.slice(0, 300)}`);

    await page.goto(`${web.url}/sign-in`);
    await page.getByLabel('Email address').fill('ed@hyndburn.example');
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/partner/);

    await page.goto(`${web.url}/partner/uploads/new`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('input[type=file]').setInputFiles(sharedFile(...FILE));
    await screenshot(page, 'wizard-1-file');
    await page.getByRole('button', { name: 'Upload and check the file' }).click();
    await page.waitForURL(/\/mapping$/);
    assert.match(await page.locator('main').innerText(), /windows-1252/);
    await screenshot(page, 'wizard-2-mapping');
    await page.getByRole('button', { name: 'Check the whole file' }).click();
    await page.waitForURL(/\/report/);
    await settle(page);
    const report = await page.locator('main').innerText();
    assert.match(report, /Rows that will load/);
    await screenshot(page, 'wizard-3-report');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/check$/);
    await screenshot(page, 'wizard-4-check');
    await page.getByRole('button', { name: 'Load the file' }).click();
    await page.waitForURL(/\/progress/);
    await settle(page);
    const result = await page.locator('main').innerText();
    assert.match(result, /File loaded/);
    await screenshot(page, 'wizard-5-result');

    const [{ pence, n }] = await db.query<{ pence: number; n: number }>("SELECT sum(amount_pence)::bigint AS pence, count(*)::int AS n FROM spend_line WHERE body_code = $1 AND financial_year = '2023-24'", [HYNDBURN]);
    assert.ok(Number(n) > 100, `${n} lines loaded for 2023-24`);
    await page.getByRole('link', { name: 'The count for Hyndburn' }).click();
    await page.waitForURL(/\/places\/HYNDBURN/);
    const after = await page.locator('main').innerText();
    assert.ok(after.includes(`${formatPence(Number(pence))} exactly`), `the count shows the loaded total ${formatPence(Number(pence))}: ${after.slice(0, 600)}`);
    assert.notEqual(after, before);
    await screenshot(page, 'wizard-6-count');
    await context.close();
  });
});
