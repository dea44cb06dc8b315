// Must show (issue 5), on the real Lancashire files in ../shared/data (Hyndburn's 12 monthly CSVs, the PCC's
// and the fire service's workbooks for 2023-24) and the shipped place definition (places/lancashire.json):
// the suppliers shared by all three bodies are found — at least 20, and every one that simple
// normalisation (case, punctuation, a trailing Ltd/Limited/PLC/LLP) finds is among them — and the other
// councils among the payees are linked to the body register as public bodies. Loaded once per engine.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { noSharedData, sharedFile } from '../helpers/shared-data.ts';
import { projectRoot } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { importPlace } from '../../src/place/places.ts';
import { resolveAll, getEntity } from '../../src/insight/suppliers.ts';
import { sharedSuppliers, opportunities } from '../../src/insight/duplication.ts';

const H = 'E07000120', PCC = 'E23000003', FIRE = 'GB-FRA-LANCASHIRE';
const months = ['2023-04', '2023-05', '2023-06', '2023-07', '2023-08', '2023-09', '2023-10', '2023-11', '2023-12', '2024-01', '2024-02', '2024-03'];

/** Simple normalisation: lower case, letters and digits only, one trailing legal form dropped. */
const simple = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim().replace(/ (ltd|limited|plc|llp)$/, '');

for (const engine of engines) {
  describe(`Lancashire: suppliers shared by Hyndburn, the PCC and fire (${engine.name})`, { skip: engine.skip || noSharedData, timeout: 900_000 }, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      await ingestFiles(db, months.map((m) => sharedFile('spending', 'lancashire', 'hyndburn', `hyndburn_${m}.csv`)), { bodyCode: H, actor: 'test' });
      await ingestFiles(db, [sharedFile('spending', 'lancashire', 'lancashire_pcc', 'lancashire_pcc_2023-24.xlsx')], { bodyCode: PCC, actor: 'test' });
      await ingestFiles(db, [sharedFile('spending', 'lancashire', 'lancashire_fire', 'lancashire_fire_2023-24.xlsx')], { bodyCode: FIRE, actor: 'test' });
      await importPlace(db, JSON.parse(fs.readFileSync(`${projectRoot}/places/lancashire.json`, 'utf8')), 'test');
      await resolveAll(db, 'test');
    });
    after(async () => { if (db) await closeTestDatabase(db); });

    test('at least 20 suppliers are shared by all three, including every one simple normalisation finds', async () => {
      const r = await sharedSuppliers(db, 'LANCASHIRE');
      const all = r.suppliers.filter((s) => s.bodies === 3);
      assert.ok(all.length >= 20, `${all.length} shared by all three: ${all.map((s) => s.name).join('; ')}`);
      // What simple normalisation finds, from the stored matches (every published organisation name at each body).
      const names = await db.query<{ body_code: string; supplier_key: string; entity_key: string }>(
        'SELECT body_code, supplier_key, entity_key FROM supplier_match WHERE body_code = ANY($1::text[])', [[H, PCC, FIRE]]);
      const groups = new Map<string, typeof names>();
      for (const n of names) {
        const k = simple(n.supplier_key);
        groups.set(k, [...(groups.get(k) ?? []), n]);
      }
      const bySimple = [...groups.entries()].filter(([, g]) => new Set(g.map((n) => n.body_code)).size === 3);
      assert.ok(bySimple.length >= 12, `simple normalisation finds ${bySimple.length}`);
      assert.ok(all.length >= bySimple.length, `resolution found ${all.length}, simple normalisation ${bySimple.length}`);
      const allKeys = new Set(all.map((s) => s.entity_key));
      for (const [k, g] of bySimple) {
        // One entity, shared by all three, holds a name of the group at every body.
        const ok = [...new Set(g.map((n) => n.entity_key))].some((e) => allKeys.has(e) && new Set(g.filter((n) => n.entity_key === e).map((n) => n.body_code)).size === 3);
        assert.ok(ok, `"${k}" (${g.map((n) => `${n.body_code}: ${n.supplier_key}`).join(' / ')}) is shared by all three by simple normalisation, but not after resolution`);
      }
      assert.ok(all.some((s) => s.name.toLowerCase().startsWith('zurich insurance')));
    });

    test('other councils among the payees are linked to the body register as public bodies', async () => {
      for (const [code, name] of [['E07000117', 'burnley'], ['E07000122', 'pendle'], ['E07000124', 'ribble valley'], ['E07000128', 'wyre'], ['E06000008', 'blackburn with darwen']]) {
        const e = await getEntity(db, `body-${code}`);
        assert.ok(e, `${code} is a payee entity`);
        assert.equal(e.body_code, code);
        assert.deepEqual([...new Set(e.matches.map((m) => m.body_code))].sort(), [H, PCC, FIRE].sort(), `${name}: paid by all three`);
        assert.ok(e.matches.every((m) => m.supplier_key.toLowerCase().includes(name)));
      }
      // A name the ingester could not link (a supplier number after it) is linked by resolution.
      const county = (await getEntity(db, 'body-E10000017'))!;
      assert.ok(county.matches.some((m) => m.body_code === PCC && m.supplier_key === 'LANCASHIRE COUNTY COUNCIL (200398)'));
      const shared = await sharedSuppliers(db, 'LANCASHIRE');
      const councils = shared.suppliers.filter((s) => s.public_body);
      assert.ok(councils.length >= 10, `${councils.length} public bodies paid by two or more`);
      const opp = await opportunities(db, 'LANCASHIRE');
      assert.ok(!opp.opportunities.some((o) => o.kind === 'supplier' && councils.some((c) => c.entity_key === o.key)), 'payments to public bodies are not buying opportunities');
    });

    test('payments to individuals are never matched or shown', async () => {
      const people = await db.query<{ supplier_name: string }>(`SELECT DISTINCT supplier_name FROM spend_line WHERE payee_kind IN ('individual', 'redacted') AND supplier_name IS NOT NULL`);
      assert.ok(people.length > 0);
      const matched = await db.query<{ supplier_key: string }>('SELECT supplier_key FROM supplier_match');
      const keys = new Set(matched.map((m) => m.supplier_key));
      assert.deepEqual(people.filter((p) => keys.has(p.supplier_name)), []);
      const text = JSON.stringify(await sharedSuppliers(db, 'LANCASHIRE'));
      assert.deepEqual(people.filter((p) => text.includes(JSON.stringify(p.supplier_name))), []);
    });
  });
}
