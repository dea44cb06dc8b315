import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvLine } from '../src/util/csv.ts';
import { CsvParser } from '../src/ingest/read/csv.ts';

test('csvLine quotes, guards formulas and reads back with the project\'s own parser', () => {
  const line = csvLine(['=HYPERLINK("x")', 'a,b', 'say "hi"', null, 42, 'two\nlines', '-5 refund', '@ALL']);
  assert.equal(line, `"'=HYPERLINK(""x"")","a,b","say ""hi""",,42,"two\nlines",'-5 refund,'@ALL\r\n`);
  const p = new CsvParser(',');
  const rows = [...p.push(line), ...p.end()].map((r) => r.cells);
  assert.deepEqual(rows[0], [`'=HYPERLINK("x")`, 'a,b', 'say "hi"', '', '42', 'two\nlines', "'-5 refund", "'@ALL"]);
});
