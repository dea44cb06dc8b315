// The C line kernel (src/ingest/native/line-kernel.c) must give exactly what the TypeScript conversion
// gives: the same COPY bytes for every line, the same groups, dimensions, top lists, tallies and rejections,
// on real files, on every generated layout and encoding, and on a file made of awkward lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Classifier } from '../src/classify/classifier.ts';
import { produceCopy, type ProduceInput, type ProduceSummary } from '../src/ingest/produce.ts';
import { openSource } from '../src/ingest/read/source.ts';
import { lineKernel } from '../src/ingest/native/line-kernel.ts';
import { generateSpendCsv, LAYOUTS, type LayoutName } from '../src/demo/generate.ts';
import type { NamedBody } from '../src/place/body-names.ts';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { hasSharedData, noSharedData, sharedFile } from './helpers/shared-data.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'totalplace-kernel-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let setup: Promise<{ classifier: Classifier; bodies: NamedBody[] }> | undefined;
function classifierAndBodies() {
  setup ??= (async () => {
    const db = await engines[0]!.open();
    try {
      const input = await Classifier.loadInput(db);
      const bodies = await db.query<NamedBody>('SELECT code, name, body_type, aliases FROM body');
      return { classifier: Classifier.compile(input.rules, input.themes), bodies };
    } finally { await closeTestDatabase(db); }
  })();
  return setup;
}

/** Everything produceCopy gives for a file, as comparable text. */
async function produce(file: string, native: boolean): Promise<{ copy: string; summary: Record<string, unknown> }> {
  const { classifier, bodies } = await classifierAndBodies();
  const input: ProduceInput = { file, bodyCode: 'KERNEL-TEST', bodyType: 'district', fileId: 7, saved: {}, batchLines: 5000, bodies, native };
  const parts: Buffer[] = [];
  let s: ProduceSummary | undefined;
  for await (const b of produceCopy(await openSource(file), input, classifier, (x) => { s = x; })) parts.push(Buffer.from(b));
  const text = (v: Uint8Array[]) => Buffer.concat(v).toString('utf8');
  const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
  const r = await s!.rollupRows;
  return {
    copy: Buffer.concat(parts).toString('utf8'),
    summary: {
      loaded: s!.loaded, total: s!.total, rejections: s!.rejections, sheets: s!.sheets, encoding: s!.encoding, checksum: s!.checksum,
      // Within a year and theme, deep-dive rows come in the order first tallied, which differs between the two.
      rollups: sorted(r.rollups), services: sorted(r.services), suppliers: sorted(r.suppliers),
      payees: text(s!.payees), codings: text(s!.codings), texts: text(s!.texts), groups: text(s!.groups),
      topLines: text(s!.topLines), topCuts: text(s!.topCuts),
    },
  };
}

async function assertSame(file: string): Promise<{ lines: number; rejected: number }> {
  const c = await produce(file, true), t = await produce(file, false);
  assert.equal(c.copy, t.copy, `${path.basename(file)}: the kernel's COPY rows differ from TypeScript's`);
  for (const k of Object.keys(t.summary)) assert.deepEqual(c.summary[k], t.summary[k], `${path.basename(file)}: ${k} differ`);
  return { lines: t.summary.loaded as number, rejected: (t.summary.rejections as unknown[]).length };
}

test('the C line kernel is built (npm install builds it with node-gyp)', () => {
  assert.ok(lineKernel(), 'build/Release/line_kernel.node did not load: run "npm install" (it needs make, g++ and python3)');
});

test('kernel = TypeScript on every generated layout and encoding', async () => {
  for (const layout of Object.keys(LAYOUTS) as LayoutName[]) {
    for (const encoding of [undefined, 'utf16le', 'windows-1252'] as const) {
      const file = path.join(tmp, `${layout}-${encoding ?? 'default'}.csv`);
      await generateSpendCsv(file, { lines: 12000, layout, seed: 11, encoding });
      const { lines } = await assertSame(file);
      assert.ok(lines > 11000, `${layout}: ${lines} lines loaded`);
    }
  }
});

test('kernel = TypeScript on awkward lines: quotes, noise, blanks, a repeated header, bad cells, lone CRs', async () => {
  const header = 'Payment Date,Supplier Name,Service Area,Description,Transaction Reference,Net Amount,VAT Amount';
  const lines = [header];
  for (let i = 0; i < 3000; i++) {
    const d = `${String(1 + (i % 28)).padStart(2, '0')}/0${1 + (i % 9)}/2023`;
    const variants = [
      `${d},ACME LTD,Parks,Grass cutting,R${i},${(i * 37) % 100000}.5,0`,
      `${d},"Smith, J",Adults,"Care, home",R${i},${i}.25,`,
      `${d},ACME LTD ,Parks,Grass cutting,,${i},1.00`,                 // trailing space: the same payee once cleaned
      `${d},Café Nero,Culture,Refreshments,Ré${i},12.30,2.46`,          // non-ASCII reference
      `${d},ACME LTD,Parks,Grass cutting,R ${i} X,"1,234.56",0`,        // separator in a quoted amount
      `${d},ACME LTD,Parks,Grass cutting,R${i},29.000000000005,0`,       // float noise
      ',,,,,,',                                                           // blank
      header,                                                             // the header again
      `31/02/2023,ACME LTD,Parks,Grass cutting,R${i},10,0`,              // no such date
      `${d},ACME LTD,Parks,Grass cutting,R${i},ten pounds,0`,            // not an amount
      `${d},ACME LTD,Parks`,                                              // too few cells
      `Total,,,,,${i},`,                                                  // a total line
      `${d},Back\\slash Ltd,IT,Licences,R\\${i},(45.00),0`,              // backslashes, a bracketed credit
      `${d},ACME LTD,Parks,Grass cutting,R${i},-${i}.1,\r${d},Other Ltd,Parks,Mowing,Q${i},3,0`, // a lone CR inside
    ];
    // Mostly plain lines, as in a real file (the header and mapping are decided from the first rows).
    lines.push(i % 3 === 0 ? variants[(i / 3) % variants.length]! : variants[0]!);
  }
  const file = path.join(tmp, 'awkward.csv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const { lines: loaded, rejected } = await assertSame(file);
  assert.ok(loaded > 2000 && rejected > 200, `${loaded} lines loaded, ${rejected} rejected`);
});

test('kernel = TypeScript on every real CSV in ../shared/data/spending', { skip: noSharedData }, async () => {
  assert.ok(hasSharedData);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.toLowerCase().endsWith('.csv')) found.push(p);
    }
  };
  walk(sharedFile('spending'));
  assert.ok(found.length > 5, `only ${found.length} CSV files found`);
  for (const file of found) await assertSame(file);
});
