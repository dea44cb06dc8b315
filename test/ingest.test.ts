// Ingest on both engines with small files made here: messy CSV, XLSX with a notes sheet, saved
// mappings, loading twice, files that cannot be loaded, and the rollup against a full scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { runCli } from './helpers/cli.ts';
import { ingestFiles } from '../src/ingest/service.ts';
import { saveMapping, parseMappingPairs } from '../src/ingest/saved-mapping.ts';
import type { Database } from '../src/db/database.ts';
import { findLines } from '../src/ledger/lines.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-ingest-'));
const write = (name: string, content: string | Buffer) => { const p = path.join(dir, name); fs.writeFileSync(p, content); return p; };

// A district-council style file: junk first row, trailing empty columns, windows-1252 '£',
// every date and amount form, a blank row, a bad date, a bad amount, a total line.
const messy = write('messy.csv', Buffer.from([
  ',,,,,,,,,',
  'Service Cost Centre,Account Detail,Description,Ref,Name,Payment Date,Net Amount (\xa3),,,',
  'Parks,Repairs,"TREE FELLING, ASH",R1,Scott Mitchell,3 Apr 2023,900.00,,,',
  'Waste,Vehicles,"CLUTCH ""HEAVY"" REPAIR",R2,Truck Transmission Ltd,15 June 2023,"1,708.75",,,',
  ',,,,,,,,,',
  'Housing,Grants,REFUND,R3,Redacted Personal Information,05/10/23,(120.50),,,',
  'Finance,Fees,AUDIT,R4,Audit Firm LLP,14/12/2023,\xa3322.50,,,',
  'Finance,Fees,BAD DATE,R5,Audit Firm LLP,31/02/2024,10.00,,,',
  'Finance,Fees,BAD AMOUNT,R6,Audit Firm LLP,01/03/2024,ten pounds,,,',
  'Total,,,,,,2810.75,,,',
  'Leisure,Equipment,GYM KIT,R7,Fitness Kit Ltd,45017,9533.910000000003,,,',
  'Highways,Contributions,JOINT SCHEME,R8,LANCASHIRE COUNTY COUNCIL,01/05/2023,1000.00,,,',
].join('\r\n') + '\r\n', 'latin1'));

async function withDb(engine: (typeof engines)[number], fn: (db: Database) => Promise<void>) {
  const db = await engine.open();
  try { await fn(db); } finally { await closeTestDatabase(db); }
}

const opts = { bodyCode: 'TEST-DISTRICT', bodyName: 'Test District Council', bodyType: 'district', actor: 'test' };

for (const engine of engines) {
  test(`${engine.name}: a messy CSV loads every good row and rejects the rest with reasons`, { skip: engine.skip }, () => withDb(engine, async (db) => {
    const r = await ingestFiles(db, [messy], opts);
    const f = r.files[0]!;
    assert.equal(f.error, undefined);
    assert.equal(f.encoding, 'windows-1252');
    assert.equal(f.rows_loaded, 6);
    assert.equal(f.rows_rejected, 3);
    assert.equal(f.total_pence, 90000 + 170875 - 12050 + 32250 + 953391 + 100000);
    assert.deepEqual(f.rejections.map((x) => [x.line, x.column]), [[8, 'Payment Date'], [9, 'Net Amount (£)'], [10, null]]);
    assert.match(f.rejections[0]!.reason, /'31\/02\/2024' is not a real date/);
    assert.match(f.rejections[1]!.reason, /column "Net Amount \(£\)": 'ten pounds'/);
    assert.match(f.rejections[2]!.reason, /total line/);
    const lines = await db.query<Record<string, unknown>>('SELECT line_no, payment_date::text AS d, financial_year, amount_pence::int AS p, supplier_name, payee_kind, description, service_area, expense_type FROM spend_line ORDER BY line_no');
    assert.deepEqual(lines.map((l) => [l.line_no, l.d, l.financial_year, l.p]), [
      [3, '2023-04-03', '2023-24', 90000], [4, '2023-06-15', '2023-24', 170875], [6, '2023-10-05', '2023-24', -12050],
      [7, '2023-12-14', '2023-24', 32250], [11, '2023-04-01', '2023-24', 953391], [12, '2023-05-01', '2023-24', 100000]]);
    assert.equal(lines[1]!.description, 'CLUTCH "HEAVY" REPAIR');
    assert.deepEqual(lines.map((l) => l.payee_kind), ['individual', 'organisation', 'redacted', 'organisation', 'organisation', 'organisation']);
    // A payment to another public body is recognised (for counting money once in a place).
    const payees = await db.query<{ payee_body_code: string | null }>('SELECT payee_body_code FROM spend_line ORDER BY line_no');
    assert.deepEqual(payees.map((p) => p.payee_body_code), [null, null, null, null, null, 'E10000017']);
    assert.equal(lines[0]!.service_area, 'Parks');
    assert.equal(lines[0]!.expense_type, 'Repairs');
    // Rejections are kept, with the raw row.
    const rej = await db.query<{ line_no: number; raw: string }>('SELECT line_no, raw FROM rejected_row ORDER BY seq');
    assert.deepEqual(rej.map((x) => x.line_no), [8, 9, 10]);
    assert.match(rej[1]!.raw, /ten pounds/);
  }));

  test(`${engine.name}: loading the same file twice leaves one copy; the rollup equals a full scan`, { skip: engine.skip }, () => withDb(engine, async (db) => {
    await ingestFiles(db, [messy], opts);
    const again = await ingestFiles(db, [messy], opts);
    assert.equal(again.files[0]!.replaced_file_ids!.length, 1);
    const [counts] = await db.query<{ files: number; lines: number; rej: number }>(
      `SELECT (SELECT count(*)::int FROM source_file) AS files, (SELECT count(*)::int FROM spend_line) AS lines, (SELECT count(*)::int FROM rejected_row) AS rej`);
    assert.deepEqual(counts, { files: 1, lines: 6, rej: 3 });
    const scan = await db.query(`SELECT body_code, financial_year, to_char(payment_date,'YYYY-MM') AS month, theme_code, coalesce(cofog_code,'') AS cofog, coalesce(prevention_code,'') AS prev, rule_id IS NOT NULL AS classified, coalesce(payee_body_code, '') AS payee, count(*)::int AS lines, sum(amount_pence)::bigint AS pence FROM spend_line GROUP BY 1,2,3,4,5,6,7,8 ORDER BY 1,2,3,4,5,6,7,8`);
    const roll = await db.query(`SELECT body_code, financial_year, month, theme_code, cofog_code AS cofog, prevention_code AS prev, classified, payee_body_code AS payee, sum(lines)::int AS lines, sum(amount_pence)::bigint AS pence FROM spend_rollup GROUP BY 1,2,3,4,5,6,7,8 ORDER BY 1,2,3,4,5,6,7,8`);
    assert.deepEqual(roll, scan);
  }));

  test(`${engine.name}: a file with no recognisable columns is refused whole; a saved mapping then loads it`, { skip: engine.skip }, () => withDb(engine, async (db) => {
    const odd = write('odd.csv', 'Paid On,Value Out,Who\n2023-04-01,12.5,Acme Ltd\n2023-04-02,x,Acme Ltd\n');
    const r = await ingestFiles(db, [odd], opts);
    // "Paid On" holds dates: found from the values; "Value Out" is only 50% amounts, so not guessed.
    assert.match(r.files[0]!.error!, /nothing could be loaded: no column of amounts was found \(headers: "Paid On", "Value Out", "Who"\)/);
    assert.equal((await db.query('SELECT 1 FROM source_file')).length, 0);
    await db.transaction((tx) => saveMapping(tx, 'TEST-DISTRICT', parseMappingPairs(['Value Out=amount_net', 'Who=supplier_name']), 'test'));
    const r2 = await ingestFiles(db, [odd], opts);
    assert.equal(r2.files[0]!.rows_loaded, 1);
    assert.equal(r2.files[0]!.rows_rejected, 1);
    assert.deepEqual(r2.files[0]!.sheets![0]!.columns.map((c) => [c.column, c.field, c.how]), [
      ['Paid On', 'date', 'values'], ['Value Out', 'amount_net', 'saved'], ['Who', 'supplier_name', 'saved']]);
    assert.throws(() => parseMappingPairs(['Value=money']), /"money" is not a field/);
  }));

  test(`${engine.name}: XLSX with two spend sheets and a notes sheet; dates, serials and formulas`, { skip: engine.skip }, () => withDb(engine, async (db) => {
    const wb = new ExcelJS.Workbook();
    const notes = wb.addWorksheet('Notes');
    notes.addRow(['This workbook lists payments over £500.']);
    for (const [name, month] of [['Apr', 3], ['May', 4]] as const) {
      const ws = wb.addWorksheet(name);
      ws.addRow(['* Expenditure Category', '* Date', 'TOTAL', '* SUPPLIER FINAL']);
      ws.addRow(['Vehicle Purchase', new Date(Date.UTC(2023, month, 2, 1)), 28015.4, 'VEHICLES UK LTD']);
      ws.addRow(['Equipment', 45048, { formula: 'C2/2', result: 14007.7 }, 'THIRD PARTY SUPPLIER']);
      ws.addRow([]);
    }
    const p = path.join(dir, 'book.xlsx');
    await wb.xlsx.writeFile(p);
    const r = await ingestFiles(db, [p], { ...opts, bodyCode: 'TEST-POLICE', bodyName: 'Test Police', bodyType: 'police' });
    const f = r.files[0]!;
    assert.equal(f.format, 'xlsx');
    assert.equal(f.rows_loaded, 4);
    assert.equal(f.total_pence, 2 * (2801540 + 1400770));
    assert.match(f.sheets!.find((s) => s.sheet === 'Notes')!.skipped!, /no header row/);
    assert.equal(f.sheets!.find((s) => s.sheet === 'Notes')!.rows_skipped, 1);
    const rows = await db.query<{ sheet: string; line_no: number; d: string; kind: string }>(`SELECT sheet, line_no, payment_date::text AS d, payee_kind AS kind FROM spend_line ORDER BY sheet, line_no`);
    assert.deepEqual(rows.map((x) => [x.sheet, x.line_no, x.d, x.kind]), [
      ['Apr', 2, '2023-04-02', 'organisation'], ['Apr', 3, '2023-05-02', 'redacted'],
      ['May', 2, '2023-05-02', 'organisation'], ['May', 3, '2023-05-02', 'redacted']]);
  }));

  test(`${engine.name}: CLI ingest --json has the documented shape; summary and rejections read it back`, { skip: engine.skip }, () => withDb(engine, async (db) => {
    const res = await runCli(db, ['ingest', messy, '--body', 'TEST-DISTRICT', '--body-name', 'Test District Council', '--body-type', 'district', '--json']);
    assert.equal(res.exitCode, 0, res.stderr);
    const j = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(j).sort(), ['body', 'files', 'rows_loaded', 'rows_rejected', 'total_pence']);
    assert.equal(j.rows_loaded, 6);
    assert.equal(j.files[0].file, messy);
    assert.deepEqual(Object.keys(j.files[0].rejections[0]).sort(), ['column', 'line', 'reason', 'sheet']);
    const s = JSON.parse((await runCli(db, ['summary', '--body', 'TEST-DISTRICT', '--year', '2023-24', '--json'])).stdout);
    assert.equal(s.body, 'TEST-DISTRICT');
    assert.equal(s.rows, 6);
    assert.equal(s.total_pence, j.total_pence);
    assert.equal(s.by_year['2023-24'].total_pence, j.total_pence);
    const themeTotal = Object.values(s.by_theme as Record<string, { total_pence: number }>).reduce((a, t) => a + t.total_pence, 0);
    assert.equal(themeTotal, j.total_pence);
    // Every figure opens to its lines, each with file and line; public views hide individuals' names.
    const lines = JSON.parse((await runCli(db, ['lines', '--body', 'TEST-DISTRICT', '--year', '2023-24', '--json'])).stdout);
    assert.equal(lines.total_pence, s.total_pence);
    assert.equal(lines.total_lines, 6);
    assert.deepEqual([lines.lines[0].file_name, lines.lines[0].line_no, lines.lines[0].amount_pence], ['messy.csv', 11, 953391]);
    const toCounty = JSON.parse((await runCli(db, ['lines', '--body', 'TEST-DISTRICT', '--payee-body', 'E10000017', '--json'])).stdout);
    assert.deepEqual([toCounty.total_lines, toCounty.total_pence], [1, 100000]);
    const pub = await findLines(db, { bodyCodes: ['TEST-DISTRICT'], publicView: true, order: 'date' });
    assert.equal(pub.lines.find((l) => l.line_no === 3)!.supplier_name, 'Individual (name withheld)');
    assert.equal(pub.lines.find((l) => l.line_no === 6)!.supplier_name, 'Redacted by the publisher');
    assert.ok(!pub.lines.some((l) => l.supplier_name === 'Scott Mitchell' || l.supplier_name === 'Redacted Personal Information'));
    const rej = await runCli(db, ['rejections', '--body', 'TEST-DISTRICT', '--json']);
    assert.equal(JSON.parse(rej.stdout).length, 3);
    const missing = await runCli(db, ['ingest', messy, '--body', 'NOPE-1']);
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, /No body with code NOPE-1 is registered/);
    const absent = await runCli(db, ['ingest', path.join(dir, 'absent.csv'), '--body', 'TEST-DISTRICT', '--json']);
    assert.equal(absent.exitCode, 1);
    assert.match(JSON.parse(absent.stdout).files[0].error, /file not found/);
  }));
}
