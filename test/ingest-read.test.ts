import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CsvParser, sniffDelimiter } from '../src/ingest/read/csv.ts';
import { TextDecoderStream8, sniffEncoding } from '../src/ingest/read/decode.ts';
import { openSource } from '../src/ingest/read/source.ts';
import { findHeaderRow } from '../src/ingest/header.ts';

function parseAll(text: string, pieces = 1): { line: number; cells: unknown[] }[] {
  const p = new CsvParser();
  const out: { line: number; cells: unknown[] }[] = [];
  const size = Math.ceil(text.length / pieces);
  for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size), out);
  p.end(out);
  return out;
}

test('csv: quotes, escaped quotes, embedded newlines and line numbers, whatever the chunking', () => {
  const text = 'a,b,c\r\n1,"x, y",3\r\n2,"say ""hi""\nsecond line",4\n5,,6\n"last","row"';
  for (const pieces of [1, 2, 3, 7, text.length]) {
    const rows = parseAll(text, pieces);
    assert.deepEqual(rows.map((r) => r.line), [1, 2, 3, 5, 6], `pieces=${pieces}`);
    assert.deepEqual(rows[1]!.cells, ['1', 'x, y', '3']);
    assert.deepEqual(rows[2]!.cells, ['2', 'say "hi"\nsecond line', '4']);
    assert.deepEqual(rows[3]!.cells, ['5', '', '6']);
    assert.deepEqual(rows[4]!.cells, ['last', 'row']);
  }
});

test('csv: stray quote inside an unquoted field is kept as text; CR-only line ends split rows', () => {
  assert.deepEqual(parseAll('a,5" pipe,c\n').map((r) => r.cells), [['a', '5" pipe', 'c']]);
  assert.deepEqual(parseAll('a,b\rc,d\re,f\n').map((r) => [r.line, r.cells]), [[1, ['a', 'b']], [2, ['c', 'd']], [3, ['e', 'f']]]);
});

test('csv: delimiter sniffing', () => {
  assert.equal(sniffDelimiter('a;b;c\n1;2;3\n'), ';');
  assert.equal(sniffDelimiter('a\tb\tc\n1\t2\t3\n'), '\t');
  assert.equal(sniffDelimiter('a,b,c\n1,"2;3",4\n'), ',');
});

test('decode: BOMs, UTF-16 without BOM, windows-1252 pound sign, and a late switch from ASCII', () => {
  assert.equal(sniffEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), 'utf-8-bom');
  assert.equal(sniffEncoding(Buffer.from('a,b,c\n', 'utf16le')), 'utf-16le');
  const d = new TextDecoderStream8();
  assert.equal(d.decode(Buffer.from('Net Amount (')) + d.decode(Buffer.from([0xa3, 0x29])) + d.end(), 'Net Amount (£)');
  assert.equal(d.encoding, 'windows-1252');
  const u = new TextDecoderStream8();
  const bytes = Buffer.from('£1 – €2', 'utf8');
  // Split inside a multi-byte character: still decoded right.
  assert.equal(u.decode(bytes.subarray(0, 1)) + u.decode(bytes.subarray(1, 5)) + u.decode(bytes.subarray(5)) + u.end(), '£1 – €2');
  assert.equal(u.encoding, 'utf-8');
  const w = new TextDecoderStream8();
  assert.equal(w.decode(Buffer.from([0x93, 0x51, 0x94, 0x80])), '\u201cQ\u201d€');
});

test('source: UTF-16LE CSV with BOM and a ZIP holding a CSV are read as rows', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-read-'));
  const f16 = path.join(dir, 'u16.csv');
  fs.writeFileSync(f16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Date,Amount\n01/04/2023,£5.00\n', 'utf16le')]));
  const src = await openSource(f16);
  const rows: unknown[][] = [];
  let enc: string | undefined;
  for await (const s of src.sheets) { for await (const b of s.batches) rows.push(...b.map((r) => r.cells)); enc = s.encoding(); }
  assert.equal(enc, 'utf-16le');
  assert.deepEqual(rows, [['Date', 'Amount'], ['01/04/2023', '£5.00']]);
  assert.match(src.checksum(), /^[0-9a-f]{64}$/);
  const bin = path.join(dir, 'x.xls');
  fs.writeFileSync(bin, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]));
  await assert.rejects(openSource(bin), /not a CSV or XLSX file/);
});

test('header: found below junk rows and a title, not on a data row', () => {
  const rows = [
    { line: 1, cells: [',', '', ''] },
    { line: 2, cells: ['Spend over £250, April 2023', '', ''] },
    { line: 3, cells: ['Service Cost Centre', 'Account Detail', 'Description', 'Name', 'Payment Date', 'Net Amount (£)'] },
    { line: 4, cells: ['Parks', 'Repairs', 'Tree felling', 'A Ltd', '3 Apr 2023', '900.00'] },
  ];
  assert.equal(findHeaderRow(rows), 2);
  // No known names, and nothing below that reads as dates or amounts: no header.
  assert.equal(findHeaderRow([{ line: 1, cells: ['x', 'y'] }, { line: 2, cells: ['a', 'b'] }]), -1);
  // No known names, but amounts below: the first row of labels is taken, so values can map the columns.
  assert.equal(findHeaderRow([{ line: 1, cells: ['x', 'y'] }, { line: 2, cells: ['1.50', '2'] }]), 0);
});
