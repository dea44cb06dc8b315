// The worker-thread ingest path (used for large files) gives exactly what the in-process path gives:
// the same lines, totals, rejections and reports, and the same plain-English errors, with nothing
// left behind when a file fails. TOTALPLACE_INGEST_WORKER forces one path or the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { ingestFiles, type IngestResult } from '../src/ingest/service.ts';
import type { Database } from '../src/db/database.ts';
import { workerChunks } from '../src/ingest/parse-pool.ts';
import type { ProduceInput, ProduceSummary, RollupRows } from '../src/ingest/produce.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-ingest-worker-'));
const write = (name: string, content: string | Buffer) => { const p = path.join(dir, name); fs.writeFileSync(p, content); return p; };

const rows: string[] = [',,,,', 'Service,Description,Supplier,Payment Date,Net Amount (\xa3)'];
for (let i = 0; i < 5000; i++) {
  const day = (i % 28) + 1, month = (i % 12) + 1;
  rows.push(`Parks ${i % 7},"TREES, ${i % 13}",Supplier ${i % 97} Ltd,${day}/${month}/2023,"${(i * 37) % 100000}.${String(i % 100).padStart(2, '0')}"`);
  if (i % 1000 === 500) rows.push('Parks,BAD,Acme Ltd,31/02/2023,1.00', 'Parks,BAD,Acme Ltd,01/02/2023,ten', '', 'Total,,,,');
}
const big = write('big.csv', Buffer.from(rows.join('\r\n') + '\r\n', 'latin1'));
const binary = write('old.xls', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), Buffer.alloc(4000, 1)]));
const brokenXlsx = write('broken.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('[Content_Types].xml xl/ '), Buffer.alloc(3000, 7)]));
const noColumns = write('odd.csv', 'Paid On,Value Out,Who\n2023-04-01,12.5,Acme Ltd\n2023-04-02,x,Acme Ltd\n');

const opts = { bodyCode: 'TEST-WORKER', bodyName: 'Worker Test Council', bodyType: 'district', actor: 'test' };

async function load(engine: (typeof engines)[number], mode: 'always' | 'never'): Promise<{ r: IngestResult; lines: unknown[]; rollup: unknown[]; files: number }> {
  const db: Database = await engine.open();
  const before = process.env.TOTALPLACE_INGEST_WORKER;
  process.env.TOTALPLACE_INGEST_WORKER = mode;
  try {
    const r = await ingestFiles(db, [big, binary, brokenXlsx, noColumns], opts);
    const lines = await db.query(`SELECT line_id, line_no, payment_date::text AS d, amount_pence::text AS p, supplier_name, payee_kind, description, theme_code, rule_id
      FROM spend_line ORDER BY line_id`);
    const rollup = await db.query(`SELECT month, theme_code, classified, lines, amount_pence::text AS p FROM spend_rollup ORDER BY 1, 2, 3`);
    const files = (await db.query('SELECT 1 FROM source_file')).length;
    return { r, lines, rollup, files };
  } finally {
    if (before === undefined) delete process.env.TOTALPLACE_INGEST_WORKER; else process.env.TOTALPLACE_INGEST_WORKER = before;
    await closeTestDatabase(db);
  }
}

for (const engine of engines) {
  test(`${engine.name}: a worker thread loads exactly what the in-process path loads, and fails the same way`, { skip: engine.skip }, async () => {
    const inProcess = await load(engine, 'never');
    const inWorker = await load(engine, 'always');
    const f = inWorker.r.files[0]!;
    assert.equal(f.error, undefined);
    assert.equal(f.rows_loaded, 5000);
    assert.equal(f.rows_rejected, 15);
    assert.equal(f.encoding, 'windows-1252');
    assert.equal(inWorker.lines.length, 5000);
    assert.equal(inWorker.files, 1, 'only the good file is recorded');
    assert.match(inWorker.r.files[1]!.error!, /old\.xls: this is not a CSV or XLSX file/);
    assert.match(inWorker.r.files[2]!.error!, /broken\.xlsx: the workbook could not be read/);
    assert.match(inWorker.r.files[3]!.error!, /nothing could be loaded: no column of amounts was found/);
    const strip = (r: IngestResult) => ({ ...r, files: r.files.map((x) => ({ ...x, file_id: undefined })) });
    assert.deepEqual(strip(inWorker.r), strip(inProcess.r));
    assert.deepEqual(inWorker.lines, inProcess.lines);
    assert.deepEqual(inWorker.rollup, inProcess.rollup);
  });
}

test('the rollups arrive even when the worker has sent them, and ended, before its summary is taken', async () => {
  const small = write('small.csv', 'Date,Supplier,Amount\n01/05/2023,ACME Ltd,100.00\n02/05/2023,Bravo Ltd,-5.50\n');
  const input: ProduceInput = { file: small, bodyCode: 'TEST-WORKER', bodyType: null, fileId: 1, saved: {}, batchLines: 20000, bodies: [] };
  let summary: ProduceSummary | undefined;
  const chunks = workerChunks(input, { rules: [], themes: [] }, (s) => { summary = s; })[Symbol.asyncIterator]();
  const first = await chunks.next();
  assert.equal(first.done, false, 'the lines come first');
  // A busy main thread: the worker folds, sends its rollups and stops before the summary is read.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await chunks.next()).done, true);
  const rows = await Promise.race([summary!.rollupRows, new Promise<'timed out'>((r) => setTimeout(() => r('timed out'), 10_000))]);
  assert.notEqual(rows, 'timed out', 'the rollups were kept for the summary');
  assert.equal((rows as RollupRows).rollups.reduce((n, c) => n + c.lines, 0), 2);
});
