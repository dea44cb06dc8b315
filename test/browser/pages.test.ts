// The main pages in real Chromium: no accessibility violations found by axe-core (WCAG 2.2 A and AA
// rules), no errors in the console, and a screenshot of each saved under test/out/screenshots.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, TEST_PASSWORD } from '../helpers/web.ts';
import { axeViolations, launchChromium, noChromium, screenshot } from '../helpers/browser.ts';
import { loadDemoPlace } from '../../src/demo/load.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';

const pglite = engines.find((e) => e.name === 'pglite')!;

const PUBLIC_PAGES: [string, string][] = [
  ['home', '/'],
  ['places', '/places'],
  ['place-count', '/places/DEMO-VALE'],
  ['theme-deep-dive', '/places/DEMO-VALE/themes/adult-social-care'],
  ['bodies', '/bodies?search=demo'],
  ['body', '/bodies/DEMO-COUNTY'],
  ['suppliers', '/suppliers?q=ltd'],
  ['transactions', '/transactions?body=DEMO-COUNTY'],
  ['cookies', '/cookies'],
  ['sign-in', '/sign-in'],
  ['accessibility', '/accessibility'],
  ['api', '/api'],
];
const PARTNER_PAGES: [string, string][] = [
  ['partner', '/partner'],
  ['partner-uploads', '/partner/uploads'],
  ['partner-upload-new', '/partner/uploads/new'],
  ['partner-rules', '/partner/rules'],
  ['partner-places', '/partner/places'],
  ['partner-users', '/partner/users'],
  ['partner-audit', '/partner/audit'],
];

describe('main pages in Chromium: accessibility and screenshots', { skip: noChromium }, () => {
  let db: Database;
  let web: RunningServer;
  let browser: Browser;
  before(async () => {
    db = await pglite.open();
    await loadDemoPlace(db, fs.mkdtempSync(path.join(os.tmpdir(), 'tp-demo-')), 'test');
    await addUser(db, 'admin@demo.example', 'admin', null);
    web = await startTestServer(db, { analytics: true });
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); await web?.close(); if (db) await closeTestDatabase(db); });

  async function check(context: import('playwright-core').BrowserContext, name: string, url: string) {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${web.url}${url}`);
    assert.equal(res?.status(), 200, `${url} answered ${res?.status()}`);
    await screenshot(page, name);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${url}: ${JSON.stringify(violations, null, 1)}`);
    // axe is injected past the CSP (bypassCSP); the page's own scripts must raise no CSP or other errors.
    assert.deepEqual(errors, [], `${url}: console errors`);
    await page.close();
  }

  test('public pages (with the cookie banner showing)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    for (const [name, url] of PUBLIC_PAGES) await check(context, name, url);
    await context.close();
  });

  test('partner pages, signed in as a place administrator', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${web.url}/sign-in`);
    await page.getByLabel('Email address').fill('admin@demo.example');
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/partner/);
    await page.close();
    for (const [name, url] of PARTNER_PAGES) await check(context, name, url);
    await context.close();
  });

  test('the CSP holds in a normal browser context: the pages run their scripts with no violation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${web.url}/places/DEMO-VALE`);
    assert.equal(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')), true, 'app.js ran');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
