// The demo data generator: deterministic, exact totals, flat memory, and a demo place whose files and
// inter-body payments match its manifest. Totals are re-summed here from the written bytes by an
// independent parser (string arithmetic on the printed amounts, no floats).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import {
  generateSpendCsv, generateDemoPlace, demoFilePath, LAYOUTS, GENERATOR_VERSION,
  type LayoutName, type SpendEncoding, type DemoPlaceManifest,
} from '../src/demo/generate.ts';

let tmp: string;
before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'totalplace-demo-test-')); });
after(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function decode(bytes: Buffer, encoding: SpendEncoding): string {
  switch (encoding) {
    case 'utf8': return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    case 'utf8-bom':
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM expected');
      return new TextDecoder('utf-8').decode(bytes);
    case 'utf16le':
      assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe], 'UTF-16LE BOM expected');
      return new TextDecoder('utf-16le').decode(bytes);
    case 'windows-1252': return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** A small, strict CSV parser (RFC 4180 quoting), independent of the project's readers. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      row.push(field); rows.push(row); row = []; field = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += c; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** "£1,708.75", "-21,726.79", "9533.9099999999997", "860" -> pence, by string arithmetic (half up). */
function pence(text: string): bigint {
  let s = text.trim().replace(/[£,]/g, '');
  let sign = 1n;
  if (s.startsWith('-')) { sign = -1n; s = s.slice(1); }
  assert.match(s, /^\d+(\.\d+)?$/, `not an amount: ${JSON.stringify(text)}`);
  const [whole, frac = ''] = s.split('.');
  let p = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  if (frac.length > 2 && frac[2] >= '5') p += 1n;
  return sign * p;
}

/** Column names this test expects per layout: amount and payee (the headers are part of the contract). */
const AMOUNT: Record<string, string> = {
  lga: 'Amount', district: 'Net Amount (£)', district_b: 'Amount Paid', gross_vat_net: 'Net Amount', police: 'Total', fire: 'Amount', nhs: 'Amount',
};
const PAYEE: Record<string, string> = {
  lga: 'Beneficiary Name', district: 'Supplier Name', district_b: 'Name', gross_vat_net: 'Supplier Name', police: 'Supplier', fire: 'Supplier Name', nhs: 'Supplier',
};

interface Resum { lines: number; total: bigint; byPayee: Map<string, bigint>; width: number }

function resumCsv(file: string, encoding: SpendEncoding, layoutKey: string): Resum {
  const rows = parseCsv(decode(fs.readFileSync(file), encoding));
  const h = rows.findIndex((r) => r.includes(AMOUNT[layoutKey]));
  assert.ok(h >= 0, `${file}: header with ${AMOUNT[layoutKey]} not found`);
  const header = rows[h];
  const a = header.indexOf(AMOUNT[layoutKey]);
  const p = header.indexOf(PAYEE[layoutKey]);
  let lines = 0;
  let total = 0n;
  const byPayee = new Map<string, bigint>();
  let width = -1;
  for (const r of rows.slice(h + 1)) {
    if (r.every((c) => c === '')) continue;
    if (width < 0) width = r.length;
    assert.equal(r.length, width, `${file}: ragged row ${JSON.stringify(r)}`);
    lines++;
    const v = pence(r[a]);
    total += v;
    const payee = r[p].toLowerCase();
    byPayee.set(payee, (byPayee.get(payee) ?? 0n) + v);
  }
  return { lines, total, byPayee, width };
}

describe('generateSpendCsv', () => {
  const layouts = Object.keys(LAYOUTS) as LayoutName[];

  test('same seed gives byte-identical files; another seed does not', async () => {
    for (const layout of layouts) {
      const a = path.join(tmp, `det-${layout}-a.csv`);
      const b = path.join(tmp, `det-${layout}-b.csv`);
      const c = path.join(tmp, `det-${layout}-c.csv`);
      const ra = await generateSpendCsv(a, { lines: 5000, seed: 42, layout });
      const rb = await generateSpendCsv(b, { lines: 5000, seed: 42, layout });
      await generateSpendCsv(c, { lines: 5000, seed: 43, layout });
      assert.deepEqual(ra, rb, layout);
      assert.equal(sha256(a), sha256(b), `${layout}: same seed, different bytes`);
      assert.notEqual(sha256(a), sha256(c), `${layout}: different seeds, same bytes`);
      assert.equal(fs.statSync(a).size, ra.bytes, `${layout}: bytes reported`);
    }
  });

  test('output is pinned: a change that alters generated bytes must bump GENERATOR_VERSION (benchmark caches key on it)', async () => {
    const file = path.join(tmp, 'golden.csv');
    const r = await generateSpendCsv(file, { lines: 1000, seed: 1, layout: 'lga' });
    assert.equal(GENERATOR_VERSION, 2);
    assert.deepEqual(r, { lines: 1000, totalPence: 404466055, bytes: 190443 });
    assert.equal(sha256(file), 'ab120d06b22d5cf7552405cdc53b971f5772e189dcdbc7de746c38dc42843cec',
      'generated bytes changed: bump GENERATOR_VERSION in src/demo/generate.ts and update this test');
  });

  test('the returned total is the exact sum of the written net amounts, in every layout and encoding', async () => {
    const cases: { layout: LayoutName; encoding?: SpendEncoding; variant?: 'a' | 'b'; lines: number }[] = [
      ...layouts.map((layout) => ({ layout, lines: 20_000 })),
      { layout: 'district', variant: 'b', encoding: 'utf8-bom', lines: 3000 },
      { layout: 'fire', encoding: 'utf16le', lines: 3000 },
      { layout: 'lga', encoding: 'windows-1252', lines: 3000 },
      { layout: 'police', lines: 1 },
      { layout: 'nhs', lines: 0 },
    ];
    for (const c of cases) {
      const file = path.join(tmp, `sum-${c.layout}-${c.variant ?? 'a'}-${c.encoding ?? 'default'}.csv`);
      const r = await generateSpendCsv(file, { lines: c.lines, seed: 7, layout: c.layout, encoding: c.encoding, variant: c.variant });
      const key = c.layout === 'district' && c.variant === 'b' ? 'district_b' : c.layout;
      const got = resumCsv(file, c.encoding ?? LAYOUTS[c.layout].encoding, key);
      assert.equal(got.lines, c.lines, `${key}: lines`);
      assert.equal(r.lines, c.lines);
      assert.equal(got.total, BigInt(r.totalPence), `${key} ${c.encoding ?? ''}: total`);
      assert.ok(Number.isSafeInteger(r.totalPence));
    }
  });

  test('values have realistic shapes: credits, float noise, redactions, long-tailed payees, realistic width', async () => {
    const file = path.join(tmp, 'shape-lga.csv');
    const r = await generateSpendCsv(file, { lines: 50_000, seed: 11, layout: 'lga', financialYear: '2022-23' });
    const text = fs.readFileSync(file, 'utf8');
    const rows = parseCsv(text).slice(1).filter((x) => x.length > 1);
    assert.equal(rows[0].length, 15, 'LGA layout has 15 columns');
    const width = r.bytes / r.lines;
    assert.ok(width > 150 && width < 250, `line width ${width}`);
    const amount = rows.map((x) => x[11]);
    assert.ok(amount.some((a) => a.startsWith('-')), 'credit notes');
    assert.ok(amount.some((a) => /\.\d{10,}$/.test(a)), 'float noise');
    assert.ok(rows.some((x) => x[13] === 'Redacted Personal Information'), 'redacted payees');
    const dates = rows.map((x) => x[8].split('/').reverse().join('-')).sort();
    assert.ok(dates[0] >= '2022-04-01' && dates[dates.length - 1] <= '2023-03-31', `dates ${dates[0]}..${dates[dates.length - 1]}`);
    const counts = new Map<string, number>();
    for (const x of rows) counts.set(x[13], (counts.get(x[13]) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    assert.ok(counts.size > 1000, `distinct payees ${counts.size}`);
    assert.ok(sorted.filter((n) => n === 1).length > 100, 'a long tail of payees paid once');
    const pounds = amount.map((a) => Math.abs(Number(a)));
    assert.ok(Math.max(...pounds) <= 2_000_000 && Math.min(...pounds) >= 0.01, 'amounts within 1p..£2m');
    assert.ok(pounds.filter((p) => p >= 100_000).length > 10 && pounds.filter((p) => p < 10).length > 10, 'amounts spread over orders of magnitude');
  });

  test('the district layout has a junk first row, trailing empty columns and a windows-1252 £', async () => {
    const file = path.join(tmp, 'district.csv');
    await generateSpendCsv(file, { lines: 2000, seed: 3, layout: 'district' });
    const bytes = fs.readFileSync(file);
    const lines = bytes.toString('latin1').split('\r\n');
    assert.match(lines[0], /^,+$/);
    assert.ok(bytes.includes(Buffer.from([0x28, 0xa3, 0x29])), '(£) as a single 0xA3 byte');
    assert.match(lines[2], /,\d{1,2} [A-Z][a-z]{2} 20\d\d,/);
    assert.ok(lines.some((l) => /,"-?\d{1,3}(,\d{3})+\.\d\d",/.test(l)), 'quoted amounts with thousands separators');
    assert.ok(lines[2].endsWith(',,,,,,'));
  });

  test('streams: memory stays flat while writing 1M lines', async (t) => {
    const file = path.join(tmp, 'big.csv');
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
    const r = await generateSpendCsv(file, { lines: 1_000_000, seed: 5, layout: 'lga' });
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const growthMb = (peak - base) / 2 ** 20;
    const fileMb = r.bytes / 2 ** 20;
    fs.rmSync(file);
    t.diagnostic(`RSS growth ${growthMb.toFixed(1)} MB for a ${fileMb.toFixed(0)} MB file`);
    assert.ok(growthMb < 64, `RSS grew by ${growthMb.toFixed(1)} MB writing a ${fileMb.toFixed(0)} MB file`);
  });

  test('rejects bad options plainly', async () => {
    await assert.rejects(generateSpendCsv(path.join(tmp, 'x.csv'), { lines: 10, financialYear: '2023-25' }), /2023-24/);
    await assert.rejects(generateSpendCsv(path.join(tmp, 'x.csv'), { lines: -1 }), /lines/);
    await assert.rejects(generateSpendCsv(path.join(tmp, 'x.csv'), { lines: 10, layout: 'nope' as LayoutName }), /unknown layout/);
    await assert.rejects(generateSpendCsv(path.join(tmp, 'x.csv'), { lines: 10, layout: 'lga', encoding: 'windows-1252', bodyName: 'Caf\u00e9 \u20ac Council' }), /windows-1252/);
  });
});

describe('generateDemoPlace', () => {
  let dir: string;
  let manifest: DemoPlaceManifest;
  before(async () => {
    dir = path.join(tmp, 'place-a');
    manifest = await generateDemoPlace(dir, { seed: 2023 });
  });

  test('is deterministic: same seed, same manifest and same bytes in every file (XLSX included)', async () => {
    const other = path.join(tmp, 'place-b');
    const again = await generateDemoPlace(other, { seed: 2023 });
    assert.deepEqual(again, manifest);
    for (const f of manifest.files) assert.equal(sha256(demoFilePath(other, f)), sha256(demoFilePath(dir, f)), f.path);
    assert.equal(fs.readFileSync(path.join(other, 'manifest.json'), 'utf8'), fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const third = await generateDemoPlace(path.join(tmp, 'place-c'), { seed: 99 });
    assert.notDeepEqual(third.files.map((f) => f.sha256), manifest.files.map((f) => f.sha256));
  });

  test('says it is demonstration data and describes bodies, areas and files', () => {
    assert.equal(manifest.demonstration, true);
    assert.match(manifest.notice, /DEMONSTRATION DATA/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), manifest);
    assert.ok(manifest.bodies.length >= 4 && manifest.bodies.length <= 6);
    const types = new Set(manifest.bodies.map((b) => b.type));
    for (const t of ['district', 'county', 'police', 'fire', 'nhs_commissioner']) assert.ok(types.has(t as never), t);
    const areaCodes = new Set(manifest.areas.map((a) => a.code));
    for (const a of manifest.areas) {
      assert.match(a.code, /^X\d{8}$/);
      assert.ok(a.population > 0);
    }
    for (const b of manifest.bodies) {
      assert.match(b.code, /^DEMO-[A-Z]+$/);
      assert.ok(b.files.length >= 1 && b.files.length <= 3, `${b.code} files`);
      for (const c of b.areaCodes) assert.ok(areaCodes.has(c), `${b.code} area ${c}`);
    }
    for (const c of manifest.place.areaCodes) assert.ok(areaCodes.has(c));
    const lines = manifest.files.reduce((n, f) => n + f.lines, 0);
    assert.ok(lines >= 2000 && lines <= 10_000, `lines ${lines}`);
    assert.equal(manifest.totals.lines, lines);
    const encodings = new Set(manifest.files.map((f) => f.encoding));
    for (const e of ['windows-1252', 'utf8-bom', 'xlsx']) assert.ok(encodings.has(e as never), e);
  });

  test('every file re-sums to its manifest lines and total; payments between bodies match the transfers', async () => {
    const nameOf = new Map(manifest.bodies.map((b) => [b.code, b.name.toLowerCase()]));
    const paid = new Map<string, bigint>(); // from|to -> pence found in the payer's files
    const add = (from: string, byPayee: Map<string, bigint>) => {
      for (const [to, name] of nameOf) {
        const v = byPayee.get(name);
        if (v !== undefined) paid.set(`${from}|${to}`, (paid.get(`${from}|${to}`) ?? 0n) + v);
      }
    };
    for (const f of manifest.files) {
      const file = demoFilePath(dir, f);
      assert.equal(sha256(file), f.sha256);
      assert.equal(fs.statSync(file).size, f.bytes);
      if (f.format === 'xlsx') {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(file);
        assert.equal(wb.worksheets.length, 2, 'two sheets');
        let lines = 0;
        let total = 0n;
        const byPayee = new Map<string, bigint>();
        for (const [i, ws] of wb.worksheets.entries()) {
          const sheet = f.sheets![i];
          assert.equal(ws.name, sheet.name);
          const header = (ws.getRow(sheet.headerRow).values as unknown[]).map(String);
          const a = header.indexOf('Total (£)');
          const p = header.indexOf('Supplier');
          assert.ok(a > 0 && p > 0, 'header found where the manifest says');
          let sheetLines = 0;
          let sheetTotal = 0n;
          ws.eachRow((row, n) => {
            if (n <= sheet.headerRow) return;
            const v = BigInt(Math.round(Number(row.getCell(a).value) * 100));
            const payee = String(row.getCell(p).value).toLowerCase();
            assert.ok(row.getCell(2).value instanceof Date, 'dates are dates');
            sheetLines++;
            sheetTotal += v;
            byPayee.set(payee, (byPayee.get(payee) ?? 0n) + v);
          });
          assert.equal(sheetLines, sheet.lines);
          assert.equal(sheetTotal, BigInt(sheet.totalPence));
          lines += sheetLines;
          total += sheetTotal;
        }
        assert.equal(lines, f.lines);
        assert.equal(total, BigInt(f.totalPence));
        add(f.bodyCode, byPayee);
      } else {
        const key = f.layout === 'district' && fs.readFileSync(file).includes('Amount Paid') ? 'district_b' : f.layout;
        const got = resumCsv(file, f.encoding as SpendEncoding, key);
        assert.equal(got.lines, f.lines, f.path);
        assert.equal(got.total, BigInt(f.totalPence), f.path);
        add(f.bodyCode, got.byPayee);
      }
    }
    const expected = new Map<string, bigint>();
    for (const t of manifest.transfers) {
      assert.ok(nameOf.has(t.fromBody) && nameOf.has(t.toBody) && t.fromBody !== t.toBody);
      expected.set(`${t.fromBody}|${t.toBody}`, (expected.get(`${t.fromBody}|${t.toBody}`) ?? 0n) + BigInt(t.totalPence));
    }
    assert.deepEqual(new Map([...paid].sort()), new Map([...expected].sort()));
    for (const pair of ['DEMO-ICB|DEMO-COUNTY', 'DEMO-DISTRICT|DEMO-COUNTY', 'DEMO-COUNTY|DEMO-DISTRICT']) assert.ok(expected.has(pair), pair);
  });
});
