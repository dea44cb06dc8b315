// The duplication pages and API (issue 5) over the small invented ledger of test/insight/fixtures.ts:
// tables and charts whose figures link to the transactions behind them, no individual ever named, forms
// for a place administrator only (with their CSRF token), decisions kept, and the JSON and CSV.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor, TEST_PASSWORD } from '../helpers/web.ts';
import { axeViolations, launchChromium, noChromium, screenshot } from '../helpers/browser.ts';
import type { Browser } from 'playwright-core';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { loadFixture, H, PCC, FIRE, PLACE, RETURNS_CSV } from '../insight/fixtures.ts';
import { resolveAll, findEntityKey } from '../../src/insight/suppliers.ts';
import { importReturns } from '../../src/insight/returns.ts';

/** The hrefs of the links in a page (entities decoded). */
const links = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));

for (const engine of engines) {
  describe(`duplication pages and API (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    let web: RunningServer;
    before(async () => {
      db = await engine.open();
      await loadFixture(db);
      await resolveAll(db, 'test');
      await importReturns(db, Buffer.from(RETURNS_CSV), { source: 'returns.csv', actor: 'test' });
      web = await startTestServer(db);
      await addUser(db, 'admin@place.example', 'admin', null);
      await addUser(db, 'viewer@hyndburn.example', 'viewer', H);
    });
    after(async () => { await web.close(); await closeTestDatabase(db); });

    test('shared suppliers: a table and a chart, each figure linked to its transactions, no individual named', async () => {
      const r = await new Visitor(web.url).get(`/places/${PLACE}/shared-suppliers`);
      assert.equal(r.status, 200);
      assert.match(r.text, /<h1[^>]*>Suppliers shared by the place's bodies<\/h1>/);
      assert.match(r.text, /id="shared-count">4</);
      assert.match(r.text, /id="all-bodies-count">1</);
      assert.match(r.text, /<svg[^>]*class="tp-chart"[^>]*role="img"/);
      assert.doesNotMatch(r.text, /John Smith|Redacted Personal/);
      const hrefs = links(r.text);
      assert.ok(hrefs.includes(`/transactions?body=${PCC}&supplier=ZURICH+INSURANCE+PLC`), hrefs.filter((h) => h.startsWith('/transactions')).join('\n'));
      assert.ok(hrefs.includes(`/transactions?body=${FIRE}&payee_body=E07000122`) === false, 'Pendle is paid by one body only');
      assert.ok(hrefs.includes(`/transactions?body=${H}&payee_body=E07000117`), 'a public body by its code');
      assert.ok(hrefs.includes(`/places/${PLACE}/shared-suppliers/org-zurich-insurance`));
      // The link finds the lines behind the figure.
      const lines = await new Visitor(web.url).get(`/transactions?body=${PCC}&supplier=ZURICH+INSURANCE+PLC`);
      assert.equal(lines.status, 200);
      assert.match(lines.text, /£2,000\.00/);
      const year = await new Visitor(web.url).get(`/places/${PLACE}/shared-suppliers?year=2024-25`);
      assert.match(year.text, /No supplier is paid by more than one of these bodies in 2024-25/);
      assert.equal((await new Visitor(web.url).get(`/places/${PLACE}/shared-suppliers?year=2024`)).status, 400);
      assert.equal((await new Visitor(web.url).get('/places/NOWHERE/shared-suppliers')).status, 404);
    });

    test('a supplier: each name with why it was matched and how sure; no forms for the public or a viewer', async () => {
      const r = await new Visitor(web.url).get(`/places/${PLACE}/shared-suppliers/org-zurich-insurance`);
      assert.equal(r.status, 200);
      assert.match(r.text, /The same name once punctuation, “&amp;”, “the” and the legal form are set aside/);
      assert.match(r.text, /What each body pays it, by theme/);
      assert.doesNotMatch(r.text, /<form method="post"[^>]*\/confirm/);
      const viewer = new Visitor(web.url);
      await viewer.signIn('viewer@hyndburn.example');
      const page = await viewer.get(`/places/${PLACE}/shared-suppliers/org-zurich-insurance`);
      assert.doesNotMatch(page.text, /\/confirm"/);
      const refused = await viewer.post(`/places/${PLACE}/shared-suppliers/org-zurich-insurance/confirm`, {});
      assert.equal(refused.status, 403);
      assert.equal((await new Visitor(web.url).get(`/places/${PLACE}/shared-suppliers/org-nothing`)).status, 404);
    });

    test('an administrator confirms, splits and merges; the decisions are kept and audited', async () => {
      const admin = new Visitor(web.url);
      await admin.signIn('admin@place.example');
      const thomson = (await findEntityKey(db, 'Thomson Reuters Professional UK Ltd'))!;
      const page = await admin.get(`/places/${PLACE}/shared-suppliers/${thomson}`);
      assert.match(page.text, /name="_csrf"/);
      assert.match(page.text, /Take out “Thomson Reuters \(Prof\) UK Ltd”/);
      // Without the token: refused.
      assert.equal((await admin.post(`/places/${PLACE}/shared-suppliers/${thomson}/split`, { name: 'Thomson Reuters (Prof) UK Ltd' }, { csrf: null })).status, 403);
      const split = await admin.post(`/places/${PLACE}/shared-suppliers/${thomson}/split`, { name: 'Thomson Reuters (Prof) UK Ltd' });
      assert.equal(split.status, 303);
      assert.match(split.location!, /\?done=split$/);
      assert.notEqual(await findEntityKey(db, 'Thomson Reuters (Prof) UK Ltd'), await findEntityKey(db, 'Thomson Reuters Professional UK Ltd'));
      const after = await admin.get(split.location!);
      assert.match(after.text, /is now a supplier of its own/);

      await admin.get(`/places/${PLACE}/shared-suppliers/${thomson}`);
      const bad = await admin.post(`/places/${PLACE}/shared-suppliers/${thomson}/merge`, { other: 'No Such Supplier Ltd' });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /govuk-error-summary/);
      assert.match(bad.text, /No supplier &quot;No Such Supplier Ltd&quot; has been resolved/);
      assert.match(bad.text, /<title>Error: /);
      const merged = await admin.post(`/places/${PLACE}/shared-suppliers/${thomson}/merge`, { other: 'Thomson Reuters (Prof) UK Ltd' });
      assert.equal(merged.status, 303);
      assert.equal(await findEntityKey(db, 'Thomson Reuters (Prof) UK Ltd'), thomson);

      await admin.get(`/places/${PLACE}/shared-suppliers/org-zurich-insurance`);
      assert.equal((await admin.post(`/places/${PLACE}/shared-suppliers/org-zurich-insurance/confirm`, {})).status, 303);
      await resolveAll(db, 'test');
      assert.equal(await findEntityKey(db, 'Thomson Reuters (Prof) UK Ltd'), await findEntityKey(db, 'Thomson Reuters Professional UK Ltd'), 'the merge wins over the earlier split');
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM supplier_match WHERE entity_key = 'org-zurich-insurance' AND rule = 'user-merge'`);
      assert.equal(n, 3);
      const audit = await db.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_event WHERE action IN ('suppliers.split', 'suppliers.merge', 'suppliers.confirm') ORDER BY id`);
      assert.deepEqual(audit.map((a) => a.action), ['suppliers.split', 'suppliers.merge', 'suppliers.confirm']);
      assert.ok(audit.every((a) => a.actor === 'web:admin@place.example'));
    });

    test('opportunities: the assumption beside every estimate, editable by an administrator, with a CSV download', async () => {
      const pub = await new Visitor(web.url).get(`/places/${PLACE}/opportunities`);
      assert.equal(pub.status, 200);
      assert.match(pub.text, /assumed saving from buying it together of\s*<strong>5%<\/strong>, the default/);
      assert.match(pub.text, /Estimated saving at 5%/);
      assert.doesNotMatch(pub.text, /name="saving_percent"/);
      assert.ok(links(pub.text).includes(`/api/places/${PLACE}/opportunities.csv`));
      assert.ok(links(pub.text).includes(`/transactions?body=${FIRE}&supplier=zurich+insurance`), 'each body\'s lines under its own spelling');

      const admin = new Visitor(web.url);
      await admin.signIn('admin@place.example');
      const form = await admin.get(`/places/${PLACE}/opportunities`);
      assert.match(form.text, /name="saving_percent"/);
      const bad = await admin.post(`/places/${PLACE}/opportunities/assumption`, { saving_percent: 'ten' });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /govuk-error-summary/);
      assert.match(bad.text, /href="#saving_percent"/);
      assert.match(bad.text, /The saving must be a percentage from 0 to 100/);
      const ok = await admin.post(`/places/${PLACE}/opportunities/assumption`, { saving_percent: '2.5' });
      assert.equal(ok.status, 303);
      const after = await new Visitor(web.url).get(`/places/${PLACE}/opportunities`);
      assert.match(after.text, /<strong>2.5%<\/strong>, the assumption set for/);
      assert.match(after.text, /£162\.50/, 'Zurich: £6,500.00 at 2.5%');
      const viewer = new Visitor(web.url);
      await viewer.signIn('viewer@hyndburn.example');
      await viewer.get(`/places/${PLACE}/opportunities`);
      assert.equal((await viewer.post(`/places/${PLACE}/opportunities/assumption`, { saving_percent: '50' })).status, 403);

      const csv = await new Visitor(web.url).get(`/api/places/${PLACE}/opportunities.csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="?opportunities-duptest\.csv"?/i);
      assert.match(csv.text, /Shared supplier,Zurich Insurance PLC,3,.*,All years,6500\.00,2\.5,162\.50\r\n/);
    });

    test('returns and inspections: the register and the themes covered more than once, with a chart', async () => {
      const r = await new Visitor(web.url).get(`/places/${PLACE}/returns`);
      assert.equal(r.status, 200);
      assert.match(r.text, /id="entries">5</);
      assert.match(r.text, /id="repeated">2</);
      assert.match(r.text, /id="repeated-days">105\.5</);
      assert.match(r.text, /Service effectiveness/);
      assert.match(r.text, /<svg[^>]*class="tp-chart"/);
    });

    test('the API: shared suppliers, categories, spread, opportunities (with a what-if) and returns', async () => {
      const v = new Visitor(web.url);
      const shared = JSON.parse((await v.get(`/api/places/${PLACE}/shared-suppliers`)).text);
      assert.equal(shared.suppliers[0].name, 'Zurich Insurance PLC');
      assert.equal(shared.suppliers[0].total_pence, 650000);
      assert.deepEqual(shared.bodies.map((b: { code: string }) => b.code).sort(), [H, PCC, FIRE].sort());
      const three = JSON.parse((await v.get(`/api/places/${PLACE}/shared-suppliers?min_bodies=3`)).text);
      assert.equal(three.suppliers.length, 1);
      const opp = JSON.parse((await v.get(`/api/places/${PLACE}/opportunities?saving_percent=10`)).text);
      assert.equal(opp.assumption.source, 'given');
      assert.equal(opp.opportunities[0].saving_pence, 65000);
      const bad = await v.get(`/api/places/${PLACE}/opportunities?saving_percent=abc`);
      assert.equal(bad.status, 400);
      assert.match(JSON.parse(bad.text).error, /^saving_percent: The saving must be a percentage/);
      assert.equal((await v.get('/api/places/NOWHERE/opportunities')).status, 404);
      const categories = JSON.parse((await v.get(`/api/places/${PLACE}/shared-categories`)).text);
      assert.ok(categories.categories.some((g: { kind: string; label: string }) => g.kind === 'expense_type' && g.label === 'Insurance'));
      const spread = JSON.parse((await v.get(`/api/places/${PLACE}/supplier-spread`)).text);
      assert.ok(spread.groups.some((g: { entity_key: string }) => g.entity_key === 'org-zurich-insurance'));
      const returns = JSON.parse((await v.get(`/api/places/${PLACE}/returns`)).text);
      assert.equal(returns.repeated.length, 2);
      assert.equal(JSON.parse((await v.get(`/api/places/${PLACE}/opportunities`)).text).assumption.basis_points, 250);
      for (const body of [shared, categories, spread, opp, returns]) assert.doesNotMatch(JSON.stringify(body), /John Smith|Redacted Personal/);
    });
  });
}

describe('duplication pages in Chromium: no accessibility violations, no console errors', { skip: noChromium }, () => {
  const pglite = engines.find((e) => e.name === 'pglite')!;
  let db: Database;
  let web: RunningServer;
  let browser: Browser;
  before(async () => {
    db = await pglite.open();
    await loadFixture(db);
    await resolveAll(db, 'test');
    await importReturns(db, Buffer.from(RETURNS_CSV), { source: 'returns.csv', actor: 'test' });
    await addUser(db, 'admin@place.example', 'admin', null);
    web = await startTestServer(db);
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); await web?.close(); if (db) await closeTestDatabase(db); });

  test('as the public and as a place administrator (with the forms)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const pages = [`/places/${PLACE}/shared-suppliers`, `/places/${PLACE}/shared-suppliers/org-zurich-insurance`, `/places/${PLACE}/opportunities`, `/places/${PLACE}/returns`];
    const check = async (url: string, name: string) => {
      const res = await page.goto(`${web.url}${url}`);
      assert.equal(res?.status(), 200, url);
      await screenshot(page, name);
      assert.deepEqual(await axeViolations(page), [], url);
    };
    for (const url of pages) await check(url, `insight-${url.split('/').slice(3).join('-')}`);
    await page.goto(`${web.url}/sign-in`);
    await page.getByLabel('Email address').fill('admin@place.example');
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const url of pages) await check(url, `insight-admin-${url.split('/').slice(3).join('-')}`);
    assert.deepEqual(errors, []);
    // A form error, as an administrator sees it (answered 400, which the browser reports).
    await page.goto(`${web.url}/places/${PLACE}/opportunities`);
    await page.getByLabel('Assumed saving from buying together').fill('lots');
    await page.getByRole('button', { name: 'Change the assumption' }).click();
    assert.match(await page.title(), /^Error: /);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
    await context.close();
  });
});
