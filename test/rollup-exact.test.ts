// Every rollup figure equals a full scan of the ledger: spend_rollup and the deep-dive rollups
// (spend_rollup_service, spend_rollup_supplier, spend_supplier_total) against GROUP BY over spend_line, written out here
// independently of src/ledger/rollup.ts, after loading the demo place, after a reclassification
// (`classify --apply`), after re-loading a file (it replaces itself) and after loading a messy file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { runCli } from './helpers/cli.ts';
import { loadDemoPlace } from '../src/demo/load.ts';
import { ingestFiles } from '../src/ingest/service.ts';
import { addFileToSupplierTotals, rebuildRollups, SAME_GROUPS_AS_JS } from '../src/ledger/rollup.ts';
import { supplierTotalsOf } from '../src/ledger/repository.ts';
import { findLines } from '../src/ledger/lines.ts';
import type { Database } from '../src/db/database.ts';

/** [rollup table, its columns, the same figures from a full scan of spend_line]. */
const CHECKS: [string, string, string][] = [
  ['spend_rollup',
    'body_code, file_id, financial_year, month, theme_code, cofog_code, prevention_code, classified, payee_body_code, lines, amount_pence',
    `SELECT body_code, file_id, financial_year, to_char(payment_date, 'YYYY-MM'), theme_code, coalesce(cofog_code, ''), coalesce(prevention_code, ''),
            rule_id IS NOT NULL, coalesce(payee_body_code, ''), count(*)::int, sum(amount_pence)::bigint
       FROM spend_line GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`],
  ['spend_rollup_service',
    'body_code, file_id, financial_year, theme_code, service_area, payee_body_code, lines, amount_pence',
    `SELECT body_code, file_id, financial_year, theme_code, coalesce(service_area, ''), coalesce(payee_body_code, ''), count(*)::int, sum(amount_pence)::bigint
       FROM spend_line GROUP BY 1, 2, 3, 4, 5, 6`],
  ['spend_rollup_supplier',
    'body_code, file_id, financial_year, theme_code, payee_kind, supplier_key, payee_body_code, supplier_name, lines, amount_pence',
    `SELECT body_code, file_id, financial_year, theme_code, payee_kind, k, coalesce(payee_body_code, ''),
            CASE payee_kind WHEN 'individual' THEN 'Individuals (names withheld)' WHEN 'redacted' THEN 'Redacted by the publisher' ELSE k END,
            count(*)::int, sum(amount_pence)::bigint
       FROM (SELECT *, CASE WHEN payee_kind IN ('individual', 'redacted') THEN '' ELSE coalesce(supplier_name, '') END AS k FROM spend_line) s
      GROUP BY 1, 2, 3, 4, 5, 6, 7`],
  ['spend_supplier_total',
    'body_code, financial_year, theme_code, supplier_group, payee_body_code, payee_kind, supplier_name, lines, amount_pence',
    `SELECT body_code, financial_year, theme_code, payee_kind || ':' || lower(k), coalesce(payee_body_code, ''), payee_kind,
            min(CASE payee_kind WHEN 'individual' THEN 'Individuals (names withheld)' WHEN 'redacted' THEN 'Redacted by the publisher' ELSE k END),
            count(*)::int, sum(amount_pence)::bigint
       FROM (SELECT *, CASE WHEN payee_kind IN ('individual', 'redacted') THEN '' ELSE coalesce(supplier_name, '') END AS k FROM spend_line) s
      GROUP BY 1, 2, 3, 4, 5, 6`],
];

async function assertExact(db: Database, when: string): Promise<void> {
  const [{ n: lines }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM spend_line');
  assert.ok(lines > 0, `${when}: the ledger has lines`);
  for (const [table, cols, scan] of CHECKS) {
    const rollup = `SELECT ${cols.split(', ').map((c) => (c === 'lines' ? 'lines::int' : c === 'amount_pence' ? 'amount_pence::bigint' : c)).join(', ')} FROM ${table}`;
    const [d] = await db.query<{ missing: number; extra: number; rows: number; scan_rows: number }>(
      `SELECT (SELECT count(*)::int FROM (${scan} EXCEPT ALL ${rollup}) x) AS missing,
              (SELECT count(*)::int FROM (${rollup} EXCEPT ALL ${scan}) x) AS extra,
              (SELECT count(*)::int FROM ${table}) AS rows,
              (SELECT count(*)::int FROM (${scan}) x) AS scan_rows`);
    assert.deepEqual(d, { missing: 0, extra: 0, rows: d.scan_rows, scan_rows: d.scan_rows }, `${when}: ${table} equals the full scan`);
    assert.ok(d.rows > 0, `${when}: ${table} has rows`);
    const [t] = await db.query<{ l: string; p: string }>(`SELECT sum(lines)::text AS l, sum(amount_pence)::text AS p FROM ${table}`);
    const [s] = await db.query<{ l: string; p: string }>('SELECT count(*)::text AS l, sum(amount_pence)::text AS p FROM spend_line');
    assert.deepEqual(t, s, `${when}: ${table} totals`);
  }
  // Individuals' and redacted payees' names never reach the supplier rollup.
  const [leak] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM spend_rollup_supplier r
      WHERE r.payee_kind IN ('individual', 'redacted') AND r.supplier_name NOT IN ('Individuals (names withheld)', 'Redacted by the publisher')`);
  assert.equal(leak.n, 0, `${when}: no individual is named`);
  const [leakTotal] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM spend_supplier_total
      WHERE payee_kind IN ('individual', 'redacted') AND (supplier_name NOT IN ('Individuals (names withheld)', 'Redacted by the publisher') OR supplier_group NOT IN ('individual:', 'redacted:'))`);
  assert.equal(leakTotal.n, 0, `${when}: no individual is named in the supplier totals`);
  // Sharing: every group with more than one row is marked shared, and the per-body counts of suppliers no
  // other row shares agree with the marks (the deep-dive test checks the counts they give against a scan).
  const [unmarked] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM spend_supplier_total t
      WHERE NOT t.shared AND EXISTS (SELECT 1 FROM spend_supplier_total o WHERE o.financial_year = t.financial_year AND o.theme_code = t.theme_code
                                       AND o.supplier_group = t.supplier_group AND (o.body_code, o.payee_body_code) <> (t.body_code, t.payee_body_code))`);
  assert.equal(unmarked.n, 0, `${when}: every shared supplier is marked`);
  const counts = `SELECT body_code, financial_year, theme_code, count(*) FILTER (WHERE payee_body_code = '' AND NOT shared)::int FROM spend_supplier_total GROUP BY 1, 2, 3`;
  const [c] = await db.query<{ missing: number; extra: number }>(
    `SELECT (SELECT count(*)::int FROM (${counts} EXCEPT ALL SELECT body_code, financial_year, theme_code, plain_suppliers FROM spend_supplier_count) x) AS missing,
            (SELECT count(*)::int FROM (SELECT body_code, financial_year, theme_code, plain_suppliers FROM spend_supplier_count EXCEPT ALL ${counts}) x) AS extra`);
  assert.deepEqual(c, { missing: 0, extra: 0 }, `${when}: spend_supplier_count`);
}

for (const engine of engines) {
  test(`${engine.name}: every rollup figure equals a full scan, after load, reclassification, replacement and a messy file`, { skip: engine.skip, timeout: 180_000 }, async () => {
    const db = await engine.open();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-rollup-'));
    try {
      const { manifest } = await loadDemoPlace(db, dir, 'test');
      await assertExact(db, 'after loading the demo place');

      // Drill-down: totals from the rollup equal the scan; pages (per-body top-N merged) equal one global sort.
      const bodies = manifest.bodies.map((b) => b.code);
      for (const f of [{ theme: 'policing' }, { theme: 'adult-social-care', prevention: 'acute' }, { month: '2023-06' }, {}]) {
        const where = ['body_code = ANY($1::text[])', ...Object.entries(f).map(([k, v]) => (k === 'month' ? `to_char(payment_date, 'YYYY-MM') = '${v}'` : k === 'theme' ? `theme_code = '${v}'` : `prevention_code = '${v}'`))].join(' AND ');
        const [scan] = await db.query<{ n: number; p: string }>(`SELECT count(*)::int AS n, sum(amount_pence)::text AS p FROM spend_line WHERE ${where}`, [bodies]);
        const want = await db.query<{ body_code: string; line_id: number }>(
          `SELECT body_code, line_id FROM spend_line WHERE ${where} ORDER BY abs(amount_pence) DESC, body_code, file_id, line_id LIMIT 15 OFFSET 10`, [bodies]);
        const got = await findLines(db, { bodyCodes: bodies, year: '2023-24', ...f, limit: 15, offset: 10 });
        assert.equal(got.total_lines, scan!.n, JSON.stringify(f));
        assert.equal(got.total_pence, Number(scan!.p), JSON.stringify(f));
        assert.deepEqual(got.lines.map((l) => [l.body_code, l.line_id]), want.map((w) => [w.body_code, w.line_id]), JSON.stringify(f));
      }
      const [kinds] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM spend_line WHERE payee_kind = 'individual'`);
      assert.ok(kinds.n > 0, 'the demo has payments to individuals');

      // Reclassify: a new first rule takes some lines to another theme; the rollups are rebuilt.
      let r = await runCli(db, ['rules', 'add', '--name', 'test: everything about waste is back office', '--theme', 'back-office', '--when', 'service keywords waste*|refuse|street*', '--position', '1']);
      assert.equal(r.exitCode, 0, r.stderr);
      r = await runCli(db, ['classify', '--apply', '--json']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).apply.lines_changed > 0, 'the new rule changed some lines');
      await assertExact(db, 'after classify --apply');

      // Re-load one file: it replaces itself (new file id; the old rows all go). DEMO-COUNTY has two files of
      // one year, so its supplier totals are recomputed from the other file and the new copy added back.
      const file = path.join(dir, manifest.files.find((f) => f.bodyCode === 'DEMO-COUNTY')!.path);
      const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM source_file`);
      const res = await ingestFiles(db, [file], { bodyCode: 'DEMO-COUNTY', actor: 'test' });
      assert.equal(res.files[0]!.replaced_file_ids?.length, 1);
      assert.deepEqual(await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM source_file`), before);
      const oldId = res.files[0]!.replaced_file_ids?.[0];
      for (const table of ['spend_rollup', 'spend_rollup_service', 'spend_rollup_supplier']) {
        const [old] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE body_code = 'DEMO-COUNTY' AND file_id = $1`, [oldId]);
        assert.equal(old.n, 0, `${table}: the replaced file's rows are gone`);
      }
      await assertExact(db, 'after re-loading a file');

      // A messy file: blank and odd names, refunds, an individual, a redacted payee, odd spacing and case.
      const messy = path.join(dir, 'messy.csv');
      fs.writeFileSync(messy, [
        'Date,Amount,Supplier,Service Area,Expense Type',
        '03/04/2023,100.00,ACME LTD,Waste Services,Contractors',
        '04/04/2023,-20.00,Acme Ltd,Waste Services,Contractors',
        '05/04/2023,30.00,  acme   ltd ,,Contractors',
        '06/04/2023,55.55,Redacted,Children,Payments to individuals',
        '07/04/2023,12.34,Mr John Smith,Adult Social Care,Direct Payments',
        '08/04/2023,9.99,,Libraries,Books',
        '09/04/2023,1.00,Demoshire County Council,Housing,Grants',
      ].join('\r\n') + '\r\n');
      const m = await ingestFiles(db, [messy], { bodyCode: 'DEMO-DISTRICT', actor: 'test' });
      assert.equal(m.files[0]!.error, undefined, m.files[0]!.error);
      assert.ok(m.files[0]!.rows_loaded >= 6, JSON.stringify(m.files[0]!.rejections));
      await assertExact(db, 'after a messy file');
      const names = (await db.query<{ supplier_name: string }>(`SELECT supplier_name FROM spend_rollup_supplier WHERE file_id = $1`, [m.files[0]!.file_id])).map((x) => x.supplier_name);
      assert.ok(!names.some((n) => /smith/i.test(n)), `no individual named: ${names.join(' | ')}`);

      // New bodies' first files: their supplier totals are grouped while they are parsed and copied in (both test
      // databases collate as JavaScript compares), in-process and in the parse worker. Spellings differing in
      // case, names outside ASCII (left to the database) and one that lowers into an ASCII group (the Kelvin sign).
      const [{ same }] = await db.query<{ same: boolean }>(`SELECT ${SAME_GROUPS_AS_JS} AS same`);
      assert.equal(same, true, 'the test database groups supplier names as JavaScript does');
      const fresh = path.join(dir, 'fresh.csv');
      fs.writeFileSync(fresh, [
        'Date,Amount,Supplier,Service Area,Expense Type',
        '03/04/2023,100.00,ACME LTD,Waste Services,Contractors',
        '04/04/2023,-20.00,Acme Ltd,Waste Services,Contractors',
        '05/04/2023,7.00,Café Rouge Ltd,Waste Services,Contractors',
        '06/04/2023,8.00,CAFÉ ROUGE LTD,Waste Services,Contractors',
        '07/04/2023,9.00,\u212Aelvin Supplies,Waste Services,Contractors',
        '08/04/2023,10.00,Kelvin Supplies,Waste Services,Contractors',
        '09/04/2023,11.00,kelvin supplies,Waste Services,Contractors',
        '10/05/2024,12.00,Zeta Ltd,Libraries,Books',
        '11/05/2024,13.00,Mrs Jane Doe,Adult Social Care,Direct Payments',
      ].join('\r\n') + '\r\n');
      // ... and one all in ASCII, every row grouped here (through the parse worker).
      const freshAscii = path.join(dir, 'fresh-ascii.csv');
      fs.writeFileSync(freshAscii, fs.readFileSync(fresh, 'utf8').split('\r\n').filter((l) => /^[\x00-\x7f]*$/.test(l)).join('\r\n'));
      for (const [code, file, lines, parseInWorker] of [['TEST-FRESH', fresh, 9, false], ['TEST-FRESH-W', freshAscii, 6, true]] as const) {
        const f = await ingestFiles(db, [file], { bodyCode: code, bodyName: `Fresh ${code}`, actor: 'test', parseInWorker });
        assert.equal(f.files[0]!.rows_loaded, lines, JSON.stringify(f.files[0]));
        await assertExact(db, `after a new body's first file (${parseInWorker ? 'parse worker' : 'in-process'})`);
      }
      const [acme] = await db.query<{ shared: boolean }>(`SELECT shared FROM spend_supplier_total WHERE body_code = 'TEST-FRESH-W' AND supplier_group = 'organisation:acme ltd'`);
      assert.equal(acme?.shared, true, 'a supplier other bodies pay too is marked shared');
      // Without the file's own totals (a database that does not collate as JavaScript compares), the database groups them.
      await db.transaction(async (tx) => {
        const [{ file_id }] = await tx.query<{ file_id: number }>(`SELECT file_id::int AS file_id FROM source_file WHERE body_code = 'TEST-FRESH-W'`);
        const yearThemes = await tx.query<{ financial_year: string; theme_code: string }>(
          `SELECT DISTINCT financial_year, theme_code FROM spend_rollup_supplier WHERE body_code = 'TEST-FRESH-W'`);
        for (const t of ['spend_supplier_total', 'spend_supplier_count']) await tx.query(`DELETE FROM ${t} WHERE body_code = 'TEST-FRESH-W'`);
        await addFileToSupplierTotals(tx, 'TEST-FRESH-W', file_id, yearThemes);
      });
      await assertExact(db, 'after grouping a first file\'s supplier totals in the database');
      // The body's only file loaded again: it replaces itself, and its totals are copied in afresh.
      const again = await ingestFiles(db, [freshAscii], { bodyCode: 'TEST-FRESH-W', actor: 'test', parseInWorker: true });
      assert.equal(again.files[0]!.replaced_file_ids?.length, 1);
      await assertExact(db, 'after re-loading a body\'s only file');
      const kelvin = await db.query<{ supplier_group: string; supplier_name: string; lines: number }>(
        `SELECT supplier_group, supplier_name, lines::int AS lines FROM spend_supplier_total WHERE body_code = 'TEST-FRESH' AND supplier_group LIKE '%elvin%' ORDER BY 1`);
      assert.ok(kelvin.length >= 1 && kelvin.reduce((n, k) => n + k.lines, 0) === 3, JSON.stringify(kelvin));
      const grouped = supplierTotalsOf([
        ['2023-24', 'waste', 'organisation', 'acme ltd', '', 1, 30], ['2023-24', 'waste', 'organisation', 'ACME LTD', '', 2, 100],
        ['2023-24', 'waste', 'organisation', 'Acme Ltd', 'X', 1, 5], ['2023-24', 'waste', 'individual', '', '', 4, 40],
        ['2023-24', 'libraries', 'organisation', 'Café', '', 1, 1],
      ]);
      assert.deepEqual(grouped, { complete: false, rows: [
        ['2023-24', 'waste', 'individual:', '', 'individual', 'Individuals (names withheld)', 4, 40, false],
        ['2023-24', 'waste', 'organisation:acme ltd', '', 'organisation', 'ACME LTD', 3, 130, true],
        ['2023-24', 'waste', 'organisation:acme ltd', 'X', 'organisation', 'Acme Ltd', 1, 5, true],
      ] });

      // A rebuild from scratch changes nothing.
      const snapshot = async () => Promise.all(['spend_rollup', 'spend_rollup_service', 'spend_rollup_supplier', 'spend_supplier_total', 'spend_supplier_count'].map(async (t) =>
        (await db.query(`SELECT * FROM ${t}`)).map((row) => JSON.stringify(row)).sort()));
      const was = await snapshot();
      await db.transaction(async (tx) => { await rebuildRollups(tx); });
      assert.deepEqual(await snapshot(), was);
    } finally {
      await closeTestDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
