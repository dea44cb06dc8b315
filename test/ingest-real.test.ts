// The real published files in ../shared/data: Lancashire 2023-24 to the penny, and every other spend
// file mapped automatically with loaded + rejected = its data rows (counted independently with
// Python's csv module for the CSVs; the XLSX counts are the publishers' row counts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { noSharedData, sharedFile } from './helpers/shared-data.ts';
import { ingestFiles } from '../src/ingest/service.ts';
import { coverageReport } from '../src/classify/service.ts';

const months = ['2023-04', '2023-05', '2023-06', '2023-07', '2023-08', '2023-09', '2023-10', '2023-11', '2023-12', '2024-01', '2024-02', '2024-03'];
const hyndburn = months.map((m) => sharedFile('spending', 'lancashire', 'hyndburn', `hyndburn_${m}.csv`));

const OTHER_FILES: [string, number, number][] = [
  // file, data rows, rows expected to be rejected (each a real problem in the file)
  ['central_government/cabinet_office_over25k_2022-07_clean.csv', 318, 0],
  ['greater_manchester/manchester_2022-03_clean.csv', 5183, 0],
  ['greater_manchester/salford_2022-04_clean.csv', 1786, 0],
  ['greater_manchester/trafford_procurement_card_2024-25.csv', 8134, 0],
  ['greater_manchester/trafford_supplier_spend_2024-25.zip', 210068, 0],
  ['west_yorkshire/bradford_2019-12_clean.csv', 10187, 0],
  ['west_yorkshire/calderdale_2020-06-card_clean.csv', 570, 0],
  ['west_yorkshire/calderdale_2020-06_clean.csv', 1367, 0],
  ['west_yorkshire/leeds_2020-06_raw.csv', 16176, 0],
  ['lancashire/hyndburn/layout-variants/hyndburn_2017-01_old-layout.csv', 180, 0],
  ['nhs/nhs_gloucestershire_and_somerset_icb_payments.xlsx', 146979 + 40167, 0],
  // One amount is written with a decimal comma ("1241,32"): refused, with that reason.
  ['other_councils/babergh_district_council_payments.xlsx', 19769, 1],
];

for (const engine of engines) {
  test(`${engine.name}: Lancashire 2023-24 loads with no row lost, to the penny, and >= 80% of value classified`, { skip: engine.skip || noSharedData, timeout: 300_000 }, async () => {
    const db = await engine.open();
    try {
      const h = await ingestFiles(db, hyndburn, { bodyCode: 'E07000120', actor: 'test' });
      assert.equal(h.rows_loaded, 6390);
      assert.equal(h.rows_rejected, 0);
      assert.equal(h.total_pence, 1_882_551_048);
      assert.deepEqual(h.files.map((f) => f.encoding), ['windows-1252', 'utf-8-bom', 'utf-8-bom', ...Array(9).fill('windows-1252')]);
      const pcc = await ingestFiles(db, [sharedFile('spending', 'lancashire', 'lancashire_pcc', 'lancashire_pcc_2023-24.xlsx')], { bodyCode: 'E23000003', actor: 'test' });
      assert.equal(pcc.rows_loaded, 9289);
      assert.equal(pcc.rows_rejected, 0);
      assert.equal(pcc.total_pence, 10_432_277_362);
      assert.equal(pcc.files[0]!.sheets!.filter((s) => s.rows_loaded > 0).length, 12);
      const fire = await ingestFiles(db, [sharedFile('spending', 'lancashire', 'lancashire_fire', 'lancashire_fire_2023-24.xlsx')], { bodyCode: 'GB-FRA-LANCASHIRE', actor: 'test' });
      assert.equal(fire.rows_loaded, 6999);
      assert.equal(fire.rows_rejected, 0);
      assert.equal(fire.total_pence, 2_452_516_932);
      // Lineage: a stored line points back to its file, sheet and line.
      const [l] = await db.query<{ file_name: string; sheet: string; line_no: number; amount_pence: number }>(
        `SELECT f.file_name, s.sheet, s.line_no, s.amount_pence::int AS amount_pence FROM spend_line s JOIN source_file f USING (body_code, file_id)
          WHERE s.body_code = 'E23000003' AND s.supplier_name = 'PPL PRS LTD' AND s.amount_pence = 953391`);
      assert.deepEqual(l, { file_name: 'lancashire_pcc_2023-24.xlsx', sheet: 'Jun', line_no: 2, amount_pence: 953391 });
      // Payees: masked ones and individuals are marked.
      const kinds = await db.query<{ payee_kind: string; n: number }>(`SELECT payee_kind, count(*)::int AS n FROM spend_line GROUP BY 1`);
      const byKind = Object.fromEntries(kinds.map((k) => [k.payee_kind, k.n]));
      assert.ok(byKind.redacted > 0 && byKind.individual > 0, JSON.stringify(byKind));
      const [masked] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM spend_line WHERE supplier_name IN ('THIRD PARTY SUPPLIER', 'Redacted Personal Information') AND payee_kind <> 'redacted'`);
      assert.equal(masked!.n, 0);
      // Classification coverage by shipped rules.
      const report = await coverageReport(db, {});
      assert.ok(report.overall.share_of_value >= 0.8, `classified value share ${report.overall.share_of_value}`);
      for (const b of report.bodies) assert.ok(b.share_of_value >= 0.8, `${JSON.stringify(b)}`);
    } finally {
      await closeTestDatabase(db);
    }
  });

  test(`${engine.name}: every other spend file maps automatically and accounts for all its rows`, { skip: engine.skip || noSharedData, timeout: 600_000 }, async () => {
    const db = await engine.open();
    try {
      let i = 0;
      for (const [file, rows, rejected] of OTHER_FILES) {
        const r = await ingestFiles(db, [sharedFile('spending', ...file.split('/'))], { bodyCode: `TEST-${++i}`, bodyName: `Test ${i}`, actor: 'test' });
        const f = r.files[0]!;
        assert.equal(f.error, undefined, `${file}: ${f.error}`);
        assert.equal(f.rows_loaded + f.rows_rejected, rows, file);
        assert.equal(f.rows_rejected, rejected, `${file}: ${JSON.stringify(f.rejections.slice(0, 3))}`);
      }
      const [babergh] = await db.query<{ reason: string; line_no: number }>(`SELECT reason, line_no FROM rejected_row WHERE body_code = 'TEST-12'`);
      assert.match(babergh!.reason, /column "Amount": '1241,32' has a comma that is not a thousands separator/);
    } finally {
      await closeTestDatabase(db);
    }
  });
}
