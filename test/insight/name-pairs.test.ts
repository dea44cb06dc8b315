// Must show (issue 5): a labelled sample of supplier-name pairs from the published files in ../shared/data
// (test/insight/name-pairs.csv, labelled by hand: 1 = one organisation, 0 = different ones) scores precision
// >= 0.98 and recall >= 0.90. Every name of the sample is resolved together (with the body register's
// matcher, as a real run has), each name as if published by a body of its own; a pair is predicted "same"
// when its two names end in one entity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { CsvParser, type RawRow } from '../../src/ingest/read/csv.ts';
import { resolveSuppliers, type PayeeRecord } from '../../src/insight/resolve.ts';
import { BodyNameIndex, type NamedBody } from '../../src/place/body-names.ts';

interface Pair { a: string; b: string; same: boolean; kind: string; line: number }

function readPairs(): Pair[] {
  const text = fs.readFileSync(new URL('./name-pairs.csv', import.meta.url), 'utf8');
  const rows: RawRow[] = [];
  const parser = new CsvParser();
  parser.push(text, rows);
  parser.end(rows);
  const data = rows.filter((r) => !String(r.cells[0] ?? '').startsWith('#'));
  assert.deepEqual(data[0].cells, ['name_a', 'name_b', 'same', 'kind']);
  return data.slice(1).map((r) => {
    const [a, b, same, kind] = r.cells.map(String);
    assert.ok(same === '1' || same === '0', `line ${r.line}: same must be 1 or 0`);
    return { a, b, same: same === '1', kind, line: r.line };
  });
}

test('the labelled sample: at least 200 pairs, both kinds, no pair twice', () => {
  const pairs = readPairs();
  assert.ok(pairs.length >= 200, `${pairs.length} pairs`);
  assert.ok(pairs.filter((p) => p.same).length >= 100 && pairs.filter((p) => !p.same).length >= 100);
  const seen = new Set<string>();
  for (const p of pairs) {
    const id = [p.a.toLowerCase(), p.b.toLowerCase()].sort().join('\n');
    assert.ok(!seen.has(id), `line ${p.line} repeats a pair`);
    seen.add(id);
  }
});

test('the matcher scores precision >= 0.98 and recall >= 0.90 on the labelled sample', () => {
  const pairs = readPairs();
  const bodies = JSON.parse(fs.readFileSync(new URL('../../src/reference/data/bodies.json', import.meta.url), 'utf8')) as NamedBody[];
  const index = new BodyNameIndex(bodies);
  const names = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const records: PayeeRecord[] = names.map((name, i) => ({ body_code: `SAMPLE-${i}`, name, payee_kind: 'organisation' }));
  const r = resolveSuppliers(records, { matchBody: (n) => index.match(n) });
  const entity = new Map(r.assignments.map((a) => [records[a.record].name, a.entity]));
  let tp = 0, fp = 0, fn = 0;
  const wrong: string[] = [];
  for (const p of pairs) {
    const predicted = entity.get(p.a) === entity.get(p.b);
    if (predicted && p.same) tp++;
    else if (predicted) { fp++; wrong.push(`false match (line ${p.line}): ${p.a} / ${p.b}`); }
    else if (p.same) { fn++; wrong.push(`missed (line ${p.line}): ${p.a} / ${p.b}`); }
  }
  const precision = tp / (tp + fp), recall = tp / (tp + fn);
  const report = `precision ${precision.toFixed(3)} (${tp}/${tp + fp}), recall ${recall.toFixed(3)} (${tp}/${tp + fn})\n${wrong.join('\n')}`;
  process.stdout.write(`# name pairs: ${report.split('\n')[0]}\n`);
  assert.ok(precision >= 0.98, report);
  assert.ok(recall >= 0.90, report);
});
