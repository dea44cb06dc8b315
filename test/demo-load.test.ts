// The demo place loads through the ordinary ingest path with every row and penny the generator wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { loadDemoPlace, ledgerIsEmpty } from '../src/demo/load.ts';
import { runCli } from './helpers/cli.ts';

for (const engine of engines) {
  test(`${engine.name}: the demo place loads completely and is labelled as demonstration data`, { skip: engine.skip, timeout: 120_000 }, async () => {
    const db = await engine.open();
    try {
      assert.equal(await ledgerIsEmpty(db), true);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-demo-'));
      const { manifest, results } = await loadDemoPlace(db, dir, 'test');
      assert.equal(manifest.demonstration, true);
      for (const f of manifest.files) {
        const r = results.flatMap((x) => x.files).find((x) => x.file.endsWith(path.basename(f.path)))!;
        assert.equal(r.error, undefined, r.error);
        assert.equal(r.rows_loaded, f.lines, f.path);
        assert.equal(r.rows_rejected, 0, JSON.stringify(r.rejections.slice(0, 3)));
        assert.equal(r.total_pence, f.totalPence, f.path);
      }
      assert.equal(await ledgerIsEmpty(db), false);
      const s = JSON.parse((await runCli(db, ['summary', '--body', 'DEMO-COUNTY', '--json'])).stdout);
      assert.equal(s.total_pence, manifest.files.filter((f) => f.bodyCode === 'DEMO-COUNTY').reduce((a, f) => a + f.totalPence, 0));
      // The demo place is defined and counted: district bodies direct, county-wide ones by population share,
      // and the payments between them (precepts, Better Care Fund) counted once.
      const c = JSON.parse((await runCli(db, ['count', 'DEMO-VALE', '--year', '2023-24', '--json'])).stdout);
      assert.equal(c.bodies.length, 6);
      assert.equal(c.population, manifest.place.population);
      assert.equal(c.bodies.find((b: { code: string }) => b.code === 'DEMO-DISTRICT').rule, 'direct');
      assert.equal(c.bodies.find((b: { code: string }) => b.code === 'DEMO-COUNTY').rule, 'population_share');
      assert.ok(c.netting.netted_pence > 0);
      assert.equal(c.total_pence, c.bodies.reduce((a: number, b: { attributed_pence: number }) => a + b.attributed_pence, 0));
    } finally {
      await closeTestDatabase(db);
    }
  });
}
