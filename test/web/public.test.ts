// The public pages over the demonstration place: every figure on a page is the service's own figure, the
// charts carry the same figures as their tables, the drill-down pages and filters work, bad query values
// are refused with a message, and payments to individuals are named only to a user of the paying body.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor } from '../helpers/web.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { loadDemoPlace } from '../../src/demo/load.ts';
import { attachBody, createPlace } from '../../src/place/places.ts';
import { countPlace } from '../../src/place/count-service.ts';
import { deepDive } from '../../src/place/deep-dive.ts';
import { comparePlaces } from '../../src/place/count-compare.ts';
import { bodySummary, formatPence } from '../../src/ledger/summary.ts';
import { findLines } from '../../src/ledger/lines.ts';
import { listSourceFiles } from '../../src/ledger/repository.ts';
import { supplierSummary, topSuppliers } from '../../src/ledger/suppliers.ts';
import { shortPounds } from '../../src/web/render.ts';

/** Text of the page with tags removed and entities decoded, whitespace collapsed (what a reader sees). */
function visible(html: string): string {
  return html.replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
const svgById = (html: string, id: string) => {
  const m = new RegExp(`<svg [^>]*aria-labelledby="${id}-title[\\s\\S]*?</svg>`).exec(html);
  assert.ok(m, `chart ${id} is on the page`);
  return m[0];
};
const lineRows = (html: string) => (html.match(/<tr class="govuk-table__row tp-line">/g) ?? []).length;
const amp = (s: string) => s.replace(/&/g, '&amp;');
const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

for (const engine of engines) {
  describe(`public pages (${engine.name})`, { skip: engine.skip, timeout: 300_000 }, () => {
    let db: Database;
    let web: RunningServer;
    let person: { body_code: string; supplier_name: string; amount_pence: number; theme_code: string };

    before(async () => {
      db = await engine.open();
      await loadDemoPlace(db, fs.mkdtempSync(path.join(os.tmpdir(), 'tp-web-demo-')), 'test');
      // A second place to compare with: another district of Demoshire, served by the county and the police.
      await createPlace(db, { code: 'DEMO-EASTMERE', name: 'Eastmere (demonstration)', areas: ['X07000002'] }, 'test');
      for (const body of ['DEMO-COUNTY', 'DEMO-POLICE']) await attachBody(db, 'DEMO-EASTMERE', { body, rule: 'population_share' }, 'test');
      [person] = await db.query(`SELECT body_code, supplier_name, amount_pence::bigint AS amount_pence, theme_code FROM spend_line
                                  WHERE payee_kind = 'individual' AND body_code = 'DEMO-COUNTY' ORDER BY abs(amount_pence) DESC, line_id LIMIT 1`);
      person.amount_pence = Number(person.amount_pence);
      await addUser(db, 'viewer@county.example', 'viewer', 'DEMO-COUNTY');
      await addUser(db, 'viewer@district.example', 'viewer', 'DEMO-DISTRICT');
      web = await startTestServer(db);
    });
    after(async () => { await web?.close(); await closeTestDatabase(db); });

    test('the count page shows the exact total and per head, and its population with the source', async () => {
      const count = await countPlace(db, 'DEMO-VALE');
      const r = await new Visitor(web.url).get('/places/DEMO-VALE');
      assert.equal(r.status, 200);
      const text = visible(r.text);
      assert.match(r.text, new RegExp(`<p class="govuk-body tp-headline" id="total">${re(shortPounds(count.total_pence))}</p>`));
      assert.ok(text.includes(`${formatPence(count.total_pence)} exactly`), 'exact total');
      assert.match(r.text, new RegExp(`id="per-head">${re(formatPence(count.per_head_pence!))}<`));
      assert.ok(text.includes(`population of ${count.population!.toLocaleString('en-GB')} (user, mid-2023)`));
      assert.match(text, /DEMONSTRATION DATA/);
      // The year selector offers the years with spend, the one shown selected.
      assert.match(r.text, /<select class="govuk-select[^"]*" id="year" name="year">\s*<option value="2023-24" selected>2023-24<\/option>/);
      // Every body: its spend as published linked to its lines, and what is counted.
      for (const b of count.bodies) {
        assert.ok(r.text.includes(`href="/bodies/${b.code}?year=2023-24"`), b.code);
        assert.ok(r.text.includes(amp(`href="/transactions?body=${b.code}&year=2023-24"`)), `lines of ${b.code}`);
        assert.ok(text.includes(formatPence(b.attributed_pence)), `counted for ${b.code}`);
      }
      assert.ok(r.text.includes(`/api/places/DEMO-VALE/count.csv?year=2023-24`));
      assert.ok(r.text.includes(`/api/places/DEMO-VALE/count.xlsx?year=2023-24`));
      assert.doesNotMatch(r.text, /\sstyle="|<style/, 'no inline style');
      assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    });

    test('the treemap and the theme table carry the same figures, each theme linked to its deep dive and its lines', async () => {
      const count = await countPlace(db, 'DEMO-VALE');
      const r = await new Visitor(web.url).get('/places/DEMO-VALE');
      const svg = svgById(r.text, 'chart-themes');
      assert.match(r.text, /<figure class="tp-figure">\s*<figcaption[^>]*>Spend by theme/);
      const themes = Object.entries(count.by_theme).filter(([, t]) => t.pence > 0);
      assert.equal((svg.match(/<rect /g) ?? []).length, themes.length, 'one rectangle per theme');
      const positive = themes.reduce((s, [, t]) => s + t.pence, 0);
      const bounds = { w: 960, h: 480 };
      const bodies = count.bodies.filter((b) => b.rule !== 'excluded').map((b) => b.code).join(',');
      for (const [code, t] of themes) {
        // The rectangle titled with this theme and its figure has an area proportional to the figure.
        const g = new RegExp(`<title>${re(amp(`${t.label}: ${shortPounds(t.pence)}`))} [^<]*</title><rect x="[^"]+" y="[^"]+" width="([^"]+)" height="([^"]+)"`).exec(svg);
        assert.ok(g, `rectangle for ${t.label}`);
        const area = Number(g[1]) * Number(g[2]);
        assert.ok(Math.abs(area - (t.pence / positive) * bounds.w * bounds.h) <= 0.01 * Number(g[1]) + 0.01 * Number(g[2]) + 0.001, `${t.label} area`);
        assert.ok(r.text.includes(`href="/places/DEMO-VALE/themes/${code}?year=2023-24"`), `deep dive link ${code}`);
        assert.ok(r.text.includes(amp(`href="/transactions?body=${bodies}&year=2023-24&theme=${code}">${formatPence(t.pence)}`)), `lines of theme ${code}`);
      }
      const largest = themes[0][1];
      assert.ok(svg.includes(amp(`${largest.label} ${shortPounds(largest.pence)}`)), 'the description names the largest theme');
      const table = /<caption[^>]*>Spend by theme, 2023-24<\/caption>[\s\S]*?<\/table>/.exec(r.text)![0];
      const sum = [...visible(table).matchAll(/£[\d,]+\.\d\d/g)].reduce((s, m) => s + Math.round(Number(m[0].replace(/[£,]/g, '')) * 100), 0);
      assert.equal(sum, count.total_pence, 'the theme table adds up to the total');
    });

    test('prevention, COFOG, year on year and the flow chart of money between bodies match the count', async () => {
      const count = await countPlace(db, 'DEMO-VALE');
      const r = await new Visitor(web.url).get('/places/DEMO-VALE');
      const text = visible(r.text);
      const prevention = svgById(r.text, 'chart-prevention');
      for (const [code, p] of Object.entries(count.by_prevention)) {
        assert.ok(prevention.includes(`>${amp(shortPounds(p.pence))}<`) && prevention.includes(amp(p.label)), `prevention bar ${code}`);
        assert.ok(r.text.includes(amp(`&prevention=${code}">${formatPence(p.pence)}`)), `prevention lines ${code}`);
      }
      for (const p of Object.values(count.prevention_vs_intervention_by_theme)) assert.ok(text.includes(`${p.label} ${formatPence(p.prevention_pence)} ${formatPence(p.intervention_pence)} ${formatPence(p.other_pence)}`), p.label);
      // COFOG rows largest first (not in the record's key order, which puts "10" first).
      const cofog = Object.entries(count.by_cofog).sort((a, b) => b[1].pence - a[1].pence);
      const order = cofog.map(([code]) => r.text.indexOf(amp(`&cofog=${code}"`)));
      assert.deepEqual([...order].sort((a, b) => a - b), order);
      const y = count.by_year['2023-24'];
      assert.ok(text.includes(`2023-24 (shown) ${formatPence(y.total_pence)} – transactions in 2023-24 ${formatPence(y.per_head_pence!)} ${formatPence(y.real_pence!)}`));
      assert.ok(text.includes(count.real_terms.note));
      // The flow chart: one band per payment between the place's bodies, width proportional to money.
      const flow = svgById(r.text, 'chart-flows');
      assert.ok(count.netting.flows.length > 2);
      assert.equal((flow.match(/<path /g) ?? []).length, count.netting.flows.length);
      for (const f of count.netting.flows) {
        assert.ok(flow.includes(amp(`${f.from_name} to ${f.to_name}: ${shortPounds(f.pence)} (netted)`)), `band ${f.from}>${f.to}`);
        assert.ok(r.text.includes(amp(`href="/transactions?body=${f.from}&year=2023-24&payee_body=${f.to}">${formatPence(f.pence)}`)), `flow lines ${f.from}>${f.to}`);
      }
      assert.ok(text.includes(`Netted in 2023-24: ${formatPence(count.netting.netted_pence)}`));
      for (const note of count.notes) assert.ok(text.includes(note), note);
    });

    test('the count page is served from the cache: a repeat costs no database query', async () => {
      const v = new Visitor(web.url);
      await v.get('/places/DEMO-VALE');
      const original = db.query.bind(db);
      let queries = 0;
      db.query = ((...args: Parameters<Database['query']>) => { queries++; return original(...args); }) as Database['query'];
      try {
        const again = await v.get('/places/DEMO-VALE');
        assert.equal(again.status, 200);
      } finally {
        db.query = original;
      }
      assert.equal(queries, 0);
    });

    test('the count page: another year, a bad year and an unknown place', async () => {
      const v = new Visitor(web.url);
      const other = await v.get('/places/DEMO-VALE?year=2022-23');
      assert.equal(other.status, 200);
      assert.match(visible(other.text), /No spend is loaded for 2022-23/);
      const bad = await v.get('/places/DEMO-VALE?year=2023');
      assert.equal(bad.status, 400);
      assert.match(visible(bad.text), /year must be a financial year written like 2023-24 \(got "2023"\)/);
      const missing = await v.get('/places/NOWHERE');
      assert.equal(missing.status, 404);
      assert.match(visible(missing.text), /There is no place with code NOWHERE/);
    });

    test('the theme deep dive shows the deep dive\'s figures, charts and largest transactions with file and line', async () => {
      const dd = await deepDive(db, 'DEMO-VALE', 'adult-social-care');
      const r = await new Visitor(web.url).get('/places/DEMO-VALE/themes/adult-social-care');
      assert.equal(r.status, 200);
      const text = visible(r.text);
      assert.ok(text.includes(`${formatPence(dd.total_pence)} exactly`));
      assert.match(r.text, new RegExp(`id="per-head">${re(formatPence(dd.per_head_pence!))}<`));
      for (const b of dd.bodies) assert.ok(text.includes(formatPence(b.attributed_pence)), b.code);
      for (const s of dd.services) assert.ok(text.includes(`${s.service_area} ${s.body_name} ${s.lines} ${formatPence(s.gross_pence)} ${formatPence(s.attributed_pence)}`), s.service_area);
      const months = svgById(r.text, 'chart-months');
      assert.equal((months.match(/<rect /g) ?? []).length, dd.months.length);
      for (const m of dd.months) assert.ok(r.text.includes(amp(`&month=${m.month}">${formatPence(m.gross_pence)}`)), m.month);
      svgById(r.text, 'chart-prevention');
      assert.equal(lineRows(r.text), dd.top_transactions.lines.length);
      const top = dd.top_transactions.lines[0];
      assert.ok(text.includes(`${top.body_code} ${top.file_name} ${top.sheet ?? '–'} ${top.line_no}`), 'file and line of the largest payment');
      assert.ok(r.text.includes('/api/places/DEMO-VALE/themes/adult-social-care.csv?year=2023-24'));
      assert.equal((await new Visitor(web.url).get('/places/DEMO-VALE/themes/no-such-theme')).status, 404);
      assert.equal((await new Visitor(web.url).get('/places/NOWHERE/themes/health')).status, 404);
    });

    test('two places compared side by side, per head', async () => {
      const cmp = await comparePlaces(db, 'DEMO-VALE', 'DEMO-EASTMERE');
      const v = new Visitor(web.url);
      const form = await v.get('/places/DEMO-VALE/compare');
      assert.equal(form.status, 200);
      assert.match(form.text, /<option value="DEMO-EASTMERE">Eastmere \(demonstration\)<\/option>/);
      const r = await v.get('/places/DEMO-VALE/compare?with=DEMO-EASTMERE');
      assert.equal(r.status, 200);
      const text = visible(r.text);
      for (const p of cmp.places) assert.ok(text.includes(`${p.name} ${p.population!.toLocaleString('en-GB')} (${p.population_source}) ${formatPence(p.total_pence)} ${formatPence(p.per_head_pence!)}`), p.code);
      for (const row of Object.values(cmp.by_theme)) {
        assert.ok(text.includes(`${row.label} ${formatPence(row.a.pence)} ${formatPence(row.a.per_head_pence!)} ${formatPence(row.b.pence)} ${formatPence(row.b.per_head_pence!)} ${formatPence(row.difference_per_head_pence!)}`), row.label);
      }
      assert.equal((await v.get('/places/DEMO-VALE/compare?with=demo-vale')).status, 400);
      const bad = await v.get('/places/DEMO-VALE/compare?with=NOWHERE');
      assert.equal(bad.status, 400);
      assert.match(visible(bad.text), /There is no place with code "NOWHERE" to compare with/);
    });

    test('the body register is searchable; a body page shows its summary, files, places and suppliers', async () => {
      const v = new Visitor(web.url);
      const list = await v.get('/bodies?search=demoshire');
      assert.equal(list.status, 200);
      assert.match(list.text, /href="\/bodies\/DEMO-COUNTY">Demoshire County Council</);
      assert.doesNotMatch(list.text, /href="\/bodies\/DEMO-DISTRICT"/);
      const typed = await v.get('/bodies?type=police');
      assert.ok(typed.text.includes('href="/bodies/DEMO-POLICE"'));
      assert.doesNotMatch(typed.text, /href="\/bodies\/DEMO-COUNTY"/);
      assert.equal((await v.get('/bodies?type=spaceship')).status, 400);

      const summary = await bodySummary(db, 'DEMO-COUNTY');
      const r = await v.get('/bodies/DEMO-COUNTY');
      assert.equal(r.status, 200);
      const text = visible(r.text);
      assert.ok(text.includes(`${formatPence(summary.total_pence)} exactly, in ${summary.rows.toLocaleString('en-GB')} lines`));
      for (const t of Object.values(summary.by_theme)) assert.ok(text.includes(`${t.label} ${t.rows.toLocaleString('en-GB')} ${formatPence(t.total_pence)}`), t.label);
      svgById(r.text, 'chart-themes');
      for (const f of await listSourceFiles(db, 'DEMO-COUNTY')) assert.ok(text.includes(`${f.file_name} ${Number(f.rows_loaded).toLocaleString('en-GB')} ${f.rows_rejected} ${formatPence(Number(f.total_pence))}`), f.file_name);
      assert.ok(r.text.includes('href="/places/DEMO-VALE">Demo Vale (demonstration)</a> (population share)'));
      assert.ok(r.text.includes('href="/places/DEMO-EASTMERE"'));
      // The body's largest named suppliers: largest first, each its whole total from this body, never an individual.
      const suppliers = await topSuppliers(db, 'DEMO-COUNTY');
      assert.equal(suppliers.length, 20);
      assert.deepEqual(suppliers.map((x) => x.total_pence), suppliers.map((x) => x.total_pence).sort((a, b) => b - a));
      const [top] = suppliers;
      assert.equal((await supplierSummary(db, top.supplier_name, { bodyCodes: ['DEMO-COUNTY'] }))!.total_pence, top.total_pence);
      const [named] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM spend_line WHERE body_code = 'DEMO-COUNTY' AND payee_kind NOT IN ('individual', 'redacted')
                                                     AND lower(supplier_name) = lower($1)`, [top.supplier_name]);
      assert.equal(named.n, top.lines);
      assert.ok(!suppliers.some((x) => x.supplier_name === person.supplier_name));
      assert.ok(text.includes(`${top.supplier_name} ${top.lines} ${formatPence(top.total_pence)}`));
      assert.ok(r.text.includes(amp(`href="/transactions?body=DEMO-COUNTY&${new URLSearchParams({ supplier: top.supplier_name }).toString().replace(/%2C/g, ',')}"`)));
      assert.equal((await v.get('/bodies/NO-SUCH-BODY')).status, 404);
    });

    test('suppliers: search and a supplier page with its figures; too short a search is refused', async () => {
      const v = new Visitor(web.url);
      const [top] = await topSuppliers(db, 'DEMO-ICB');
      const s = (await supplierSummary(db, top.supplier_name))!;
      const found = await v.get(`/suppliers?q=${encodeURIComponent(top.supplier_name.slice(0, 8))}`);
      assert.equal(found.status, 200);
      assert.ok(found.text.includes(`href="/suppliers/${encodeURIComponent(top.supplier_name)}"`));
      const r = await v.get(`/suppliers/${encodeURIComponent(top.supplier_name.toLowerCase())}`);
      assert.equal(r.status, 200);
      const text = visible(r.text);
      assert.ok(text.includes(`${formatPence(s.total_pence)} exactly, in ${s.lines} lines`));
      for (const b of s.by_body) assert.ok(text.includes(`${b.body_name} ${b.lines} ${formatPence(b.total_pence)}`), b.body_code);
      for (const t of s.by_theme) assert.ok(text.includes(`${t.label} ${t.lines} ${formatPence(t.total_pence)}`), t.theme_code);
      svgById(r.text, 'chart-bodies');
      const short = await v.get('/suppliers?q=a');
      assert.equal(short.status, 400);
      assert.match(short.text, /govuk-error-summary/);
      assert.match(visible(short.text), /Enter at least 2 characters/);
      assert.equal((await v.get('/suppliers/Nobody%20At%20All%20Ltd')).status, 404);
    });

    test('transactions: totals of every matching line, 100 a page with pagination, filters, and download links with the same filters', async () => {
      const v = new Visitor(web.url);
      const all = await findLines(db, { bodyCodes: ['DEMO-COUNTY', 'DEMO-ICB'], year: '2023-24', publicView: true, limit: 100 });
      const r = await v.get('/transactions?body=DEMO-COUNTY,DEMO-ICB&year=2023-24');
      assert.equal(r.status, 200);
      const text = visible(r.text);
      assert.ok(text.includes(`${all.total_lines.toLocaleString('en-GB')} lines, ${formatPence(all.total_pence)} in all`));
      assert.equal(lineRows(r.text), 100);
      assert.ok(text.includes(`Lines 1 to 100 of ${all.total_lines.toLocaleString('en-GB')}, largest first`));
      const first = all.lines[0];
      assert.ok(text.includes(`${first.body_code} ${first.file_name} ${first.sheet ?? '–'} ${first.line_no}`));
      assert.ok(r.text.includes(amp('href="/api/transactions.csv?body=DEMO-COUNTY,DEMO-ICB&year=2023-24"')));
      assert.ok(r.text.includes(amp('href="/api/transactions.xlsx?body=DEMO-COUNTY,DEMO-ICB&year=2023-24"')));
      assert.ok(r.text.includes(amp('href="/transactions?body=DEMO-COUNTY,DEMO-ICB&year=2023-24&page=2" rel="next"')));

      const pages = Math.ceil(all.total_lines / 100);
      const last = await v.get(`/transactions?body=DEMO-COUNTY,DEMO-ICB&year=2023-24&page=${pages}`);
      assert.equal(lineRows(last.text), all.total_lines - (pages - 1) * 100);
      assert.ok(last.text.includes('rel="prev"'));
      assert.doesNotMatch(last.text, /rel="next"/);
      const page2 = await findLines(db, { bodyCodes: ['DEMO-COUNTY', 'DEMO-ICB'], year: '2023-24', publicView: true, limit: 100, offset: 100 });
      const p2 = await v.get('/transactions?body=DEMO-COUNTY,DEMO-ICB&year=2023-24&page=2');
      const l = page2.lines[0];
      assert.ok(visible(p2.text).includes(`Lines 101 to 200 of ${all.total_lines.toLocaleString('en-GB')}`));
      assert.ok(visible(p2.text).includes(`${l.body_code} ${l.file_name} ${l.sheet ?? '–'} ${l.line_no}`));

      // Filters narrow the lines exactly as findLines does; order=date puts the oldest first.
      const f = { bodyCodes: ['DEMO-COUNTY'], month: '2023-06', prevention: 'acute', publicView: true, order: 'date' as const };
      const filtered = await findLines(db, f);
      assert.ok(filtered.total_lines > 0);
      const fr = await v.get('/transactions?body=DEMO-COUNTY&month=2023-06&prevention=acute&order=date');
      assert.equal(fr.status, 200);
      const ft = visible(fr.text);
      assert.ok(ft.includes(`${filtered.total_lines} ${filtered.total_lines === 1 ? 'line' : 'lines'}, ${formatPence(filtered.total_pence)} in all`));
      assert.ok(ft.includes(`${filtered.lines[0].file_name} ${filtered.lines[0].sheet ?? '–'} ${filtered.lines[0].line_no}`));
      assert.ok(ft.includes('Month Jun 2023') && ft.includes('Prevention level Acute / reactive'));
      assert.ok(fr.text.includes(amp('href="/api/transactions.csv?body=DEMO-COUNTY&month=2023-06&prevention=acute&order=date"')), 'the download carries the filters and order');
      const flow = await v.get('/transactions?body=DEMO-ICB&payee_body=DEMO-COUNTY&year=2023-24');
      const icb = await findLines(db, { bodyCodes: ['DEMO-ICB'], payeeBody: 'DEMO-COUNTY', year: '2023-24' });
      assert.ok(visible(flow.text).includes(`${icb.total_lines} lines, ${formatPence(icb.total_pence)} in all`));
    });

    test('transactions: bad query values are refused with a message naming the field', async () => {
      const v = new Visitor(web.url);
      const cases: [string, RegExp][] = [
        ['/transactions', /body is needed/],
        ['/transactions?body=NOPE', /body names a body that is not registered: "NOPE"/],
        ['/transactions?body=DEMO-COUNTY&year=2023', /year must be a financial year written like 2023-24 \(got "2023"\)/],
        ['/transactions?body=DEMO-COUNTY&month=2023-13', /month must be a month written like 2023-04 \(got "2023-13"\)/],
        ['/transactions?body=DEMO-COUNTY&year=2023-24&month=2024-05', /month 2024-05 is not in the financial year 2023-24/],
        ['/transactions?body=DEMO-COUNTY&theme=space', /theme must be a theme code: .* \(got "space"\)/],
        ['/transactions?body=DEMO-COUNTY&prevention=maybe', /prevention must be a prevention level code/],
        ['/transactions?body=DEMO-COUNTY&cofog=99', /cofog must be a COFOG division code/],
        ['/transactions?body=DEMO-COUNTY&payee_body=NOPE', /payee_body names a body that is not registered: "NOPE"/],
        ['/transactions?body=DEMO-COUNTY&order=random', /order must be amount \(largest first\) or date \(oldest first\), not "random"/],
        ['/transactions?body=DEMO-COUNTY&page=0', /page must be a whole number/],
        ['/transactions?body=DEMO-COUNTY&page=1001', /page 1001 is too deep/],
        ['/transactions?body=DEMO-COUNTY&year=2023-24&year=2022-23', /year was given more than once/],
      ];
      for (const [url, message] of cases) {
        const r = await v.get(url);
        assert.equal(r.status, 400, url);
        assert.match(visible(r.text), message, url);
      }
    });

    test('a payment to an individual is never named to the public, nor findable by name', async () => {
      const v = new Visitor(web.url);
      const url = `/transactions?body=DEMO-COUNTY&theme=${person.theme_code}`;
      const r = await v.get(url);
      assert.equal(r.status, 200);
      assert.ok(!r.text.includes(person.supplier_name), 'name not on the transactions page');
      // The payment itself is listed (so the test would see a leak), with the name withheld.
      assert.match(visible(r.text), new RegExp(`${re('Individual (name withheld)')} ${re(formatPence(person.amount_pence))}`));
      const byName = await v.get(`/transactions?body=DEMO-COUNTY&supplier=${encodeURIComponent(person.supplier_name)}`);
      assert.match(visible(byName.text), /0 lines, £0\.00 in all/);
      assert.equal((await v.get(`/suppliers/${encodeURIComponent(person.supplier_name)}`)).status, 404);
      const search = await v.get(`/suppliers?q=${encodeURIComponent(person.supplier_name)}`);
      assert.match(visible(search.text), /No supplier's name contains/);
      const dive = await v.get(`/places/DEMO-VALE/themes/${person.theme_code}`);
      assert.ok(!dive.text.includes(person.supplier_name), 'name not in the deep dive');
      const body = await v.get('/bodies/DEMO-COUNTY');
      assert.ok(!body.text.includes(person.supplier_name), 'name not on the body page');
    });

    test('a signed-in viewer of the paying body sees the name; a viewer of another body does not', async () => {
      const url = `/transactions?body=DEMO-COUNTY&theme=${person.theme_code}`;
      const own = new Visitor(web.url);
      assert.equal((await own.signIn('viewer@county.example')).status, 303);
      const mine = await own.get(url);
      assert.equal(mine.status, 200);
      assert.ok(mine.text.includes(person.supplier_name), 'named to its own body');
      assert.match(mine.headers.get('cache-control') ?? '', /no-store/);
      assert.match(visible(mine.text), /payments to individuals are shown with their names/);
      // Not when the request also covers a body the user does not belong to.
      const mixed = await own.get(`/transactions?body=DEMO-COUNTY,DEMO-DISTRICT&theme=${person.theme_code}`);
      assert.ok(!mixed.text.includes(person.supplier_name), 'not named when another body is included');
      const other = new Visitor(web.url);
      assert.equal((await other.signIn('viewer@district.example')).status, 303);
      const theirs = await other.get(url);
      assert.equal(theirs.status, 200);
      assert.ok(!theirs.text.includes(person.supplier_name), 'not named to another body');
    });
  });
}
