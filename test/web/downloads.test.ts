// Downloads (CSV and XLSX) read back and checked against the services: every matching line, the same
// count and sum as findLines, the filters respected, RFC 4180 quoting, and text that a spreadsheet would
// run as a formula written as text.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor } from '../helpers/web.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { findLines, type LineFilter } from '../../src/ledger/lines.ts';
import { attachBody, createPlace } from '../../src/place/places.ts';
import { countPlace } from '../../src/place/count-service.ts';
import { deepDive } from '../../src/place/deep-dive.ts';
import { CsvParser } from '../../src/ingest/read/csv.ts';
import { csvChunks, csvRow, poundsFromPence, sheetQueue, table } from '../../src/web/api/downloads.ts';
import { csvField, guardFormula } from '../../src/util/csv.ts';
import { checkXlsxSize, eachLine } from '../../src/web/api/tables.ts';
import { BadRequest } from '../../src/web/errors.ts';

const HYNDBURN = 'E07000120';
const BURNLEY = 'E07000117';

/** Parses CSV text with the project's own reader: the header and the rows as objects. */
function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  assert.ok(text.startsWith('\uFEFF'), 'a CSV download starts with a UTF-8 byte-order mark');
  const p = new CsvParser();
  const raw = p.end(p.push(text.slice(1)));
  const [header, ...body] = raw.map((r) => r.cells.map(String));
  // The file ends with CRLF, which leaves no empty last row.
  return { header: header!, rows: body.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i] ?? '']))) };
}

async function fetchBytes(url: string, cookie = ''): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(url, { headers: { cookie } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function readXlsx(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

/** A sheet's rows (after the header) as objects keyed by the header. */
function sheetRows(ws: ExcelJS.Worksheet): Record<string, ExcelJS.CellValue>[] {
  const header = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
  const out: Record<string, ExcelJS.CellValue>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    out.push(Object.fromEntries(header.map((h, i) => [h, row.getCell(i + 1).value])));
  });
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('CSV fields are quoted as RFC 4180 says, and read back unchanged', () => {
  const names = ['Plain Ltd', 'Smith, Jones & Co', 'The "Best" Ltd', 'Line one\r\nline two', 'Only\nLF', 'Trailing space ', ''];
  assert.equal(csvField('Smith, Jones & Co'), '"Smith, Jones & Co"');
  assert.equal(csvField('The "Best" Ltd'), '"The ""Best"" Ltd"');
  assert.equal(csvField('Plain Ltd'), 'Plain Ltd');
  const text = names.map((n) => csvRow([n, 5], ['text', 'integer'])).join('');
  const p = new CsvParser();
  const rows = p.end(p.push(text)).map((r) => r.cells);
  assert.deepEqual(rows, names.map((n) => [n, '5']));
});

test('text a spreadsheet would run as a formula gets an apostrophe; numbers and amounts do not', async () => {
  for (const s of ['=1+2', '+44 1254', '-minus', '@SUM(A1)', '\t=x', '\r=x']) assert.equal(guardFormula(s), `'${s}`);
  for (const s of ['Acme Ltd', '1=1', "'quoted", '']) assert.equal(guardFormula(s), s);
  const t = table('T', [
    { header: 'name', type: 'text', value: (r: { name: string; pence: number }) => r.name },
    { header: 'amount_pounds', type: 'pounds', value: (r) => r.pence },
    { header: 'amount_pence', type: 'integer', value: (r) => r.pence },
  ], [{ name: '=HYPERLINK("http://evil.example","x")', pence: -1205 }]);
  let text = '';
  for await (const c of csvChunks(t)) text += c;
  const { rows } = parseCsv(text);
  assert.deepEqual(rows, [{ name: `'=HYPERLINK("http://evil.example","x")`, amount_pounds: '-12.05', amount_pence: '-1205' }]);
});

test('pounds are exact decimals of the pence', () => {
  assert.equal(poundsFromPence(0), '0.00');
  assert.equal(poundsFromPence(5), '0.05');
  assert.equal(poundsFromPence(-5), '-0.05');
  assert.equal(poundsFromPence(123456789012345), '1234567890123.45');
  assert.equal(poundsFromPence(-100), '-1.00');
});

test('the writer can see the queue of sheet XML waiting to be compressed (exceljs internals it relies on to keep memory flat)', async () => {
  const sink = new PassThrough();
  sink.resume();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet('T');
  ws.addRow(['a', 1]).commit();
  const queue = sheetQueue(ws);
  assert.ok(queue, 'found');
  assert.equal(typeof queue._writableState.length, 'number');
  assert.equal(typeof queue._writableState.needDrain, 'boolean');
  ws.commit();
  await wb.commit();
});

test('a workbook of ledger lines is refused before anything is sent when the filter matches too many', () => {
  assert.doesNotThrow(() => checkXlsxSize(4, 4));
  assert.throws(() => checkXlsxSize(5, 4), (e: unknown) => e instanceof BadRequest && /matches 5 lines.*at most 4.*download CSV/.test((e as Error).message));
});

for (const engine of engines) {
  describe(`downloads (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    let web: RunningServer;
    const individual = 'Mr John Smith';

    before(async () => {
      db = await engine.open();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-dl-'));
      const a = path.join(dir, 'hyndburn.csv');
      fs.writeFileSync(a, [
        'Date,Supplier,Amount,Expense Type,Service Area,Description',
        '01/05/2023,"Smith, Jones & ""Partners"" Ltd",100.00,Stationery,Libraries,"Pens, paper"',
        '03/05/2023,"=HYPERLINK(""http://evil.example"",""click"")",25.00,Stationery,Libraries,+44 123',
        '04/05/2023,@Home Ltd,-12.05,Refund,Libraries,-minus',
        `05/05/2023,${individual},999.99,Foster care payments,Children,Weekly allowance`,
        '06/05/2023,-Dash Ltd,0.05,Stationery,Libraries,=1+2',
        '07/06/2023,Acme Waste Ltd,1234.56,Waste collection,Waste,Bins',
        '08/06/2024,Acme Waste Ltd,77.77,Waste collection,Waste,Bins next year',
        ...Array.from({ length: 30 }, (_, i) => `${String(1 + (i % 28)).padStart(2, '0')}/07/2023,Supplier ${i} Ltd,${(i * 37.11 + 1).toFixed(2)},Stationery,Libraries,Item ${i}`),
      ].join('\r\n'));
      const b = path.join(dir, 'burnley.csv');
      fs.writeFileSync(b, [
        'Date,Supplier,Amount,Expense Type,Service Area',
        '02/05/2023,Acme Waste Ltd,500.00,Waste collection,Waste',
        '09/05/2023,HYNDBURN BOROUGH COUNCIL,10000.00,Shared service,Waste',
        '10/07/2023,"Comma, Co",3.33,Stationery,Libraries',
      ].join('\r\n'));
      await ingestFiles(db, [a], { bodyCode: HYNDBURN, actor: 'test' });
      await ingestFiles(db, [b], { bodyCode: BURNLEY, actor: 'test' });
      await createPlace(db, { code: 'PENNINE', name: 'Pennine test place', areas: [HYNDBURN, BURNLEY] }, 'test');
      await attachBody(db, 'PENNINE', { body: HYNDBURN, rule: 'direct' }, 'test');
      await attachBody(db, 'PENNINE', { body: BURNLEY, rule: 'direct' }, 'test');
      web = await startTestServer(db);
      await addUser(db, 'ed@hyndburn.example', 'editor', HYNDBURN);
    });
    after(async () => { await web.close(); await closeTestDatabase(db); });

    const filters: [string, Omit<LineFilter, 'bodyCodes'> & { body: string }][] = [
      ['body=E07000120,E07000117', { body: `${HYNDBURN},${BURNLEY}` }],
      ['body=E07000120,E07000117&year=2023-24', { body: `${HYNDBURN},${BURNLEY}`, year: '2023-24' }],
      ['body=E07000120&month=2023-07', { body: HYNDBURN, month: '2023-07' }],
      ['body=E07000120,E07000117&supplier=acme&order=date&page=2', { body: `${HYNDBURN},${BURNLEY}`, supplier: 'acme' }],
      ['body=E07000117&payee_body=E07000120', { body: BURNLEY, payeeBody: HYNDBURN }],
    ];

    for (const [query, f] of filters) {
      test(`transactions.csv?${query}: every matching line, as findLines counts and sums them`, async () => {
        const filter: LineFilter = { ...f, bodyCodes: f.body.split(','), publicView: true, limit: 10000 };
        const expected = await findLines(db, filter);
        assert.ok(expected.total_lines > 0, 'the fixture has lines for this filter');
        const r = await fetchBytes(`${web.url}/api/transactions.csv?${query}`);
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
        assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename=transactions-[a-z0-9-]+\.csv$/);
        assert.equal(r.headers.get('cache-control'), 'public, max-age=300');
        const { header, rows } = parseCsv(r.bytes.toString('utf8'));
        assert.deepEqual(header.slice(0, 12), ['body_code', 'body_name', 'file_name', 'sheet', 'line_no', 'payment_date', 'financial_year', 'supplier_name', 'payee_kind', 'payee_body_code', 'amount_pounds', 'amount_pence']);
        for (const h of ['theme_code', 'cofog_code', 'prevention_code', 'service_area', 'expense_type', 'description']) assert.ok(header.includes(h), h);
        assert.equal(rows.length, expected.total_lines);
        assert.equal(sum(rows.map((x) => Number(x.amount_pence))), expected.total_pence);
        for (const x of rows) assert.equal(x.amount_pounds, poundsFromPence(Number(x.amount_pence)));
        // The same lines (file and line), and each matches the filter.
        const key = (b: string, file: string, line: string | number) => `${b}|${file}|${line}`;
        assert.deepEqual(rows.map((x) => key(x.body_code, x.file_name, x.line_no)).sort(), expected.lines.map((l) => key(l.body_code, l.file_name, l.line_no)).sort());
        for (const x of rows) {
          if (f.year) assert.equal(x.financial_year, f.year);
          if (f.month) assert.ok(x.payment_date.startsWith(f.month));
          if (f.supplier) assert.match(x.supplier_name, /acme/i);
          if (f.payeeBody) assert.equal(x.payee_body_code, f.payeeBody);
        }
        // In source order: by body code, then file and line.
        const order = rows.map((x) => [x.body_code, Number(x.line_no)] as const);
        assert.deepEqual(order, [...order].sort((p, q) => p[0].localeCompare(q[0]) || p[1] - q[1]));
      });
    }

    test('the CSV quotes commas and quotes in supplier names, and guards formulas, as published', async () => {
      const r = await fetchBytes(`${web.url}/api/transactions.csv?body=${HYNDBURN}&month=2023-05`);
      const text = r.bytes.toString('utf8');
      assert.ok(text.includes('"Smith, Jones & ""Partners"" Ltd"'), 'quoted, quotes doubled');
      assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), 'formula made text');
      const { rows } = parseCsv(text);
      const names = rows.map((x) => x.supplier_name);
      assert.ok(names.includes('Smith, Jones & "Partners" Ltd'));
      assert.ok(names.includes(`'=HYPERLINK("http://evil.example","click")`));
      assert.ok(names.includes("'@Home Ltd"));
      assert.ok(names.includes("'-Dash Ltd"));
      const dash = rows.find((x) => x.supplier_name === "'-Dash Ltd")!;
      assert.equal(dash.description, "'=1+2");
      assert.equal(dash.amount_pounds, '0.05');
      const refund = rows.find((x) => x.supplier_name === "'@Home Ltd")!;
      assert.equal(refund.amount_pounds, '-12.05', 'a negative amount is a number, not guarded');
      assert.equal(refund.amount_pence, '-1205');
      assert.equal(refund.description, "'-minus");
    });

    test('individuals are never named in a public download, nor found by name; their own body\'s partner sees them, privately', async () => {
      const pub = (await fetchBytes(`${web.url}/api/transactions.csv?body=${HYNDBURN}`)).bytes.toString('utf8');
      assert.ok(!pub.includes(individual));
      assert.ok(pub.includes('Individual (name withheld)'));
      assert.ok(!pub.includes('Weekly allowance'), 'nor the description of a payment to a person');
      const search = parseCsv((await fetchBytes(`${web.url}/api/transactions.csv?body=${HYNDBURN}&supplier=smith`)).bytes.toString('utf8'));
      assert.deepEqual(search.rows.map((x) => x.supplier_name), ['Smith, Jones & "Partners" Ltd'], 'a search by name finds no person');
      const xlsx = await readXlsx((await fetchBytes(`${web.url}/api/transactions.xlsx?body=${HYNDBURN}`)).bytes);
      assert.ok(!sheetRows(xlsx.getWorksheet('Transactions')!).some((x) => String(x.supplier_name).includes(individual)));

      const v = new Visitor(web.url);
      await v.signIn('ed@hyndburn.example');
      const cookie = [...v.cookies].map(([k, val]) => `${k}=${val}`).join('; ');
      const own = await fetchBytes(`${web.url}/api/transactions.csv?body=${HYNDBURN}`, cookie);
      assert.ok(own.bytes.toString('utf8').includes(individual));
      assert.equal(own.headers.get('cache-control'), 'private, no-store');
      const mixed = await fetchBytes(`${web.url}/api/transactions.csv?body=${HYNDBURN},${BURNLEY}`, cookie);
      assert.ok(!mixed.bytes.toString('utf8').includes(individual), 'not when another body is asked for too');
    });

    test('transactions.xlsx: the same lines, amounts as numbers with the exact pence beside them, an About sheet with the filter', async () => {
      const filter: LineFilter = { bodyCodes: [HYNDBURN, BURNLEY], year: '2023-24', publicView: true, limit: 10000 };
      const expected = await findLines(db, filter);
      const r = await fetchBytes(`${web.url}/api/transactions.xlsx?body=${HYNDBURN},${BURNLEY}&year=2023-24`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.match(r.headers.get('content-disposition') ?? '', /filename=transactions-e07000120-e07000117-2023-24\.xlsx/);
      const wb = await readXlsx(r.bytes);
      assert.deepEqual(wb.worksheets.map((w) => w.name), ['About', 'Transactions']);
      const rows = sheetRows(wb.getWorksheet('Transactions')!);
      assert.equal(rows.length, expected.total_lines);
      assert.equal(sum(rows.map((x) => x.amount_pence as number)), expected.total_pence);
      for (const x of rows) {
        assert.equal(typeof x.amount_pence, 'number');
        assert.equal(x.amount_pounds, (x.amount_pence as number) / 100);
        assert.ok(x.payment_date instanceof Date);
        assert.equal(x.financial_year, '2023-24');
      }
      const evil = rows.find((x) => String(x.supplier_name).includes('HYPERLINK'))!;
      assert.equal(evil.supplier_name, `'=HYPERLINK("http://evil.example","click")`, 'text, not a formula');
      const about = Object.fromEntries(sheetRows(wb.getWorksheet('About')!).map((x) => [x.field, x.value]));
      assert.equal(about.lines, String(expected.total_lines));
      assert.equal(about.total_pence, String(expected.total_pence));
      assert.equal(about.year, '2023-24');
    });

    test('reading every line page by page (keyset) gives exactly the lines in source order, however small the page', async () => {
      const f: LineFilter = { bodyCodes: [BURNLEY, HYNDBURN], publicView: true };
      const all = await findLines(db, { ...f, limit: 10000, order: 'date' });
      for (const size of [1, 2, 7, 5000]) {
        const got = [];
        for await (const l of eachLine(db, f, size)) got.push(l);
        assert.equal(got.length, all.total_lines, `page size ${size}`);
        assert.deepEqual(got.map((l) => `${l.body_code}|${l.file_id}|${l.line_id}`), all.lines
          .map((l) => `${l.body_code}|${l.file_id}|${l.line_id}`)
          .sort((a, b) => { const [ab, af, al] = a.split('|'); const [bb, bf, bl] = b.split('|'); return ab!.localeCompare(bb!) || Number(af) - Number(bf) || Number(al) - Number(bl); }));
      }
    });

    test('a download with a bad filter is a 400 naming the parameter, before any file is sent', async () => {
      for (const [q, name] of [['body=E07000120&month=2023-13', 'month'], ['body=NOPE', 'body'], ['year=2023-24', 'body'], ['body=E07000120&theme=nope', 'theme']]) {
        for (const ext of ['csv', 'xlsx']) {
          const r = await fetch(`${web.url}/api/transactions.${ext}?${q}`);
          assert.equal(r.status, 400, `${ext}?${q}`);
          assert.equal(r.headers.get('content-disposition'), null);
          assert.match((await r.json() as { error: string }).error, new RegExp(`^${name}\\b`));
        }
      }
    });

    test('count.csv and count.xlsx: the count\'s tables, each adding up to its total', async () => {
      const c = await countPlace(db, 'PENNINE', { year: '2023-24' });
      const r = await fetchBytes(`${web.url}/api/places/PENNINE/count.csv?year=2023-24`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-disposition') ?? '', /filename=pennine-count-2023-24\.csv/);
      const { header, rows } = parseCsv(r.bytes.toString('utf8'));
      assert.deepEqual(header.slice(0, 6), ['table', 'code', 'label', 'amount_pounds', 'amount_pence', 'share']);
      assert.deepEqual([...new Set(rows.map((x) => x.table))], ['body', 'theme', 'cofog', 'prevention']);
      for (const t of ['body', 'theme', 'cofog', 'prevention']) {
        assert.equal(sum(rows.filter((x) => x.table === t).map((x) => Number(x.amount_pence))), c.total_pence, t);
      }
      assert.deepEqual(rows.filter((x) => x.table === 'body').map((x) => [x.code, Number(x.amount_pence), Number(x.gross_pence)]),
        c.bodies.map((b) => [b.code, b.attributed_pence, b.gross_pence]));
      assert.deepEqual(rows.filter((x) => x.table === 'theme').map((x) => [x.code, Number(x.amount_pence)]), Object.entries(c.by_theme).map(([k, v]) => [k, v.pence]));

      const wb = await readXlsx((await fetchBytes(`${web.url}/api/places/PENNINE/count.xlsx?year=2023-24`)).bytes);
      assert.deepEqual(wb.worksheets.map((w) => w.name), ['About', 'By body', 'By theme', 'By prevention', 'By COFOG', 'By year', 'Prevention by theme', 'Flows']);
      assert.deepEqual(sheetRows(wb.getWorksheet('By body')!).map((x) => [x.code, x.attributed_pence, x.netted_pence]), c.bodies.map((b) => [b.code, b.attributed_pence, b.netted_pence]));
      assert.equal(sum(sheetRows(wb.getWorksheet('By COFOG')!).map((x) => x.amount_pence as number)), c.total_pence);
      assert.deepEqual(sheetRows(wb.getWorksheet('Flows')!).map((x) => [x.from, x.to, x.amount_pence, x.netted]), c.netting.flows.map((f) => [f.from, f.to, f.pence, f.netted]));
      assert.ok(c.netting.flows.length > 0, 'the fixture has a payment between the two bodies');
      const about = Object.fromEntries(sheetRows(wb.getWorksheet('About')!).map((x) => [x.field, x.value]));
      assert.equal(about.total_pence, String(c.total_pence));
    });

    test('themes/THEME.csv and .xlsx: the deep dive\'s breakdowns, each adding up to the theme total; top transactions in the workbook', async () => {
      const d = await deepDive(db, 'PENNINE', 'environment-waste', { year: '2023-24' });
      assert.ok(d.total_pence > 0);
      const { rows } = parseCsv((await fetchBytes(`${web.url}/api/places/PENNINE/themes/environment-waste.csv?year=2023-24`)).bytes.toString('utf8'));
      for (const t of ['body', 'service', 'supplier', 'month', 'prevention']) {
        assert.equal(sum(rows.filter((x) => x.table === t).map((x) => Number(x.attributed_pence))), d.total_pence, t);
      }
      const r = await fetchBytes(`${web.url}/api/places/PENNINE/themes/environment-waste.xlsx?year=2023-24`);
      assert.match(r.headers.get('content-disposition') ?? '', /filename=pennine-environment-waste-2023-24\.xlsx/);
      const wb = await readXlsx(r.bytes);
      assert.deepEqual(wb.worksheets.map((w) => w.name), ['About', 'Bodies', 'Services', 'Suppliers', 'Months', 'Prevention', 'Top transactions']);
      const top = sheetRows(wb.getWorksheet('Top transactions')!);
      assert.deepEqual(top.map((x) => [x.file_name, x.line_no, x.amount_pence]), d.top_transactions.lines.map((l) => [l.file_name, l.line_no, l.amount_pence]));
    });
  });
}
