// The Citus rule, checked against the live schema: fact tables have body_code first in their primary key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { ingestFiles } from '../src/ingest/service.ts';

const DISTRIBUTED = ['source_file', 'spend_payee', 'spend_coding', 'spend_text', 'spend_group', 'spend_top_line', 'spend_top_cut', 'rejected_row', 'spend_rollup', 'spend_rollup_service', 'spend_rollup_supplier', 'spend_supplier_total', 'spend_supplier_count',
  'supplier_match', 'insight_supplier_spread', 'insight_category_rollup'];
const REFERENCE = ['body', 'body_type', 'theme', 'cofog_division', 'prevention_level', 'classification_rule', 'classification_rule_retired',
  'column_mapping', 'reference_version', 'area_population', 'gdp_deflator', 'place', 'place_body', 'place_version',
  'supplier_entity', 'supplier_decision', 'place_saving_assumption', 'data_return'];
// Small tables of the application itself, kept on the coordinator (Citus local tables).
const LOCAL = ['schema_migration', 'audit_event', 'app_user', 'user_session', 'upload', 'page_view', 'app_secret', 'supplier_resolution'];

for (const engine of engines) {
  test(`${engine.name}: distributed tables lead every primary key and unique constraint with body_code`, { skip: engine.skip }, async () => {
    const db = await engine.open();
    try {
      // A loaded file, so that its partitions are there to check.
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tp-dist-')), 'spend.csv');
      fs.writeFileSync(file, 'Date,Supplier,Amount\n03/05/2023,Acme Ltd,120.00\n04/05/2023,Bolt plc,80.50\n');
      await ingestFiles(db, [file], { bodyCode: 'TEST-DIST', bodyName: 'Distribution test body', actor: 'test' });
      const rows = await db.query<{ table_name: string; kind: string; cols: string[] }>(`
        SELECT c.relname AS table_name, con.contype AS kind,
               array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols
          FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace
         WHERE con.contype IN ('p', 'u') AND ns.nspname = current_schema()`);
      for (const t of DISTRIBUTED) {
        const keys = rows.filter((r) => r.table_name === t);
        assert.ok(keys.some((k) => k.kind === 'p'), `${t} has a primary key`);
        for (const k of keys) assert.equal(k.cols[0], 'body_code', `${t} ${k.kind} key ${k.cols.join(', ')}`);
      }
      for (const t of REFERENCE) assert.ok(rows.some((r) => r.table_name === t && r.kind === 'p'), `${t} has a primary key`);
      // The line facts and the groups: partitioned by body_code (the facts then by file, a file's lines with no
      // key to maintain per line); every partition is one of theirs (a body's, or a file's under it).
      const partitioned = await db.query<{ t: string; cols: string[] }>(`
        SELECT c.relname AS t, array(SELECT a.attname::text FROM unnest(p.partattrs) k(n) JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.n) AS cols
          FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
         WHERE c.relname IN ('spend_fact', 'spend_group') AND c.relnamespace = current_schema()::regnamespace ORDER BY 1`);
      assert.deepEqual(partitioned, [{ t: 'spend_fact', cols: ['body_code'] }, { t: 'spend_group', cols: ['body_code'] }], 'spend_fact and spend_group are partitioned by body_code');
      const parts = await db.query<{ t: string; parent: string }>(`
        SELECT c.relname AS t, p.relname AS parent FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')`);
      const partitions = new Set(parts.map((r) => r.t));
      for (const r of parts) {
        if (r.t.startsWith('spend_fact_')) assert.match(r.parent, /^spend_fact(_b_[0-9a-f]{16})?$/, `${r.t} is a partition of spend_fact`);
        else assert.ok(/^spend_group_b_[0-9a-f]{16}$/.test(r.t) && r.parent === 'spend_group', `${r.t} (of ${r.parent}) is a body's partition of spend_group`);
      }
      for (const t of ['spend_fact_b_', 'spend_fact_f', 'spend_group_b_']) assert.ok([...partitions].some((p) => p.startsWith(t)), `a ${t}... partition`);
      // A body's group table, made bare by its first load, has the groups' key (body first) once attached.
      const groupKeys = rows.filter((r) => /^spend_group_b_/.test(r.table_name));
      assert.ok(groupKeys.length > 0, "the body's group table has its key");
      for (const k of groupKeys) assert.deepEqual(k.cols, ['body_code', 'file_id', 'group_id'], `${k.table_name} key`);
      // Every table is placed on purpose: a new one must be added to one of the three lists.
      const tables = (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()`)).map((r) => r.t);
      const placed = new Set([...DISTRIBUTED, ...REFERENCE, ...LOCAL, 'spend_fact', ...partitions]);
      assert.deepEqual(tables.filter((t) => !placed.has(t)).sort(), [], 'tables not classified as distributed, reference or local');
    } finally {
      await closeTestDatabase(db);
    }
  });
}
