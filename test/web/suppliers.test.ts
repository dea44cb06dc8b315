import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/database.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { searchSuppliers, supplierSummary } from '../../src/ledger/suppliers.ts';

for (const engine of engines) {
  describe(`supplier summaries (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-sup-'));
      const file = path.join(dir, 'spend.csv');
      fs.writeFileSync(file, [
        'Date,Supplier,Amount,Expense Type',
        '01/05/2023,ACME Ltd,100.00,Stationery',
        '02/05/2023,Acme LTD,50.50,Stationery',
        '03/06/2024,ACME Ltd,25.00,Stationery',
        '04/05/2023,Mr John Smith,999.99,Foster care payments',
        '05/05/2023,Other Co,10.00,Stationery',
      ].join('\n'));
      await ingestFiles(db, [file], { bodyCode: 'E07000120', actor: 'test' });
    });
    after(async () => closeTestDatabase(db));

    test('spellings differing in case are one supplier; totals by year add up', async () => {
      const s = (await supplierSummary(db, 'acme ltd'))!;
      assert.equal(s.total_pence, 17550);
      assert.equal(s.lines, 3);
      assert.deepEqual(s.spellings.map((x) => x.supplier_name).sort(), ['ACME Ltd', 'Acme LTD']);
      assert.deepEqual(s.by_year.map((y) => [y.financial_year, y.total_pence]), [['2023-24', 15050], ['2024-25', 2500]]);
      assert.equal(s.by_body[0].body_name, 'Hyndburn Borough Council');
      assert.equal((await supplierSummary(db, 'acme ltd', { year: '2024-25' }))!.total_pence, 2500);
    });

    test('individuals cannot be found by name', async () => {
      assert.equal(await supplierSummary(db, 'Mr John Smith'), null);
      assert.deepEqual(await searchSuppliers(db, 'smith'), []);
      assert.deepEqual((await searchSuppliers(db, 'acm')).map((m) => m.total_pence), [17550]);
    });
  });
}
